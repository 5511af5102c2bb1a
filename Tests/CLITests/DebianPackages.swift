import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Installs Debian packages that a test needs (Chromium, PostgreSQL) when they are missing: as
/// root, or through sudo; waiting for the dpkg lock when another test installs at the same time.
enum DebianPackages {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What `find` finds, installing `packages` first (then updating the lists and trying again) when it finds nothing.
    static func ensure(_ packages: [String], find: () -> String?) throws -> String {
        if let found = find() { return found }
        let sudo = getuid() == 0 ? [] : ["sudo"]
        let aptGet = sudo + ["DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=600"]
        let install = aptGet + ["install", "-y", "-qq"] + packages
        var log = ""
        for command in [install, aptGet + ["update", "-qq"], install] {
            let r = try CLI.runProcess("/usr/bin/env", command, in: "/")
            log += r.stderr
            if let found = find() { return found }
        }
        throw Failure(description: "\(packages.joined(separator: " ")) missing, and apt-get could not install it: \(log.suffix(2000))")
    }
}
