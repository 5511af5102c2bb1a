#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// On SIGINT, SIGTERM, SIGHUP or SIGPIPE, removes the temporary files of
/// writes in progress and exits with 128 + the signal, so an interrupted run
/// leaves nothing behind. SIGXFSZ (a file-size limit) is ignored, so the
/// write fails with EFBIG and takes the ordinary error path: exit 2, nothing left.
func installInterruptHandler() {
    signal(SIGXFSZ, SIG_IGN)
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] {
        signal(sig) { s in
            removePendingTemporaryFiles()
            _exit(128 + s)
        }
    }
}
