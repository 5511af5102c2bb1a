#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// On SIGINT, SIGTERM or SIGHUP, removes the temporary files of writes in
/// progress and exits with 128 + the signal, so an interrupted run leaves nothing behind.
func installInterruptHandler() {
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal(sig) { s in
            removePendingTemporaryFiles()
            _exit(128 + s)
        }
    }
}
