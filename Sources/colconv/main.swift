import ColCLI

Colconv.main()
