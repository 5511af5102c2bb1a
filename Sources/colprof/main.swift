import ColCLI

Colprof.main()
