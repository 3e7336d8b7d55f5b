//! The crate-wide error type.

use core::fmt;

use crate::cpu::Backend;

/// Everything that can go wrong in ironseal. Each variant says what was
/// wrong; none carries secret material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An input or output had a length the operation does not accept.
    BadLength {
        /// What had the wrong length.
        what: &'static str,
    },
    /// An encoded input could not be decoded; names the field.
    BadEncoding {
        /// The field that was malformed.
        field: &'static str,
    },
    /// A MAC, tag or signature did not verify.
    AuthenticationFailed,
    /// The operation or parameter is not supported.
    Unsupported {
        /// What is not supported.
        what: &'static str,
    },
    /// The requested backend cannot run on this CPU (or is disabled by
    /// `IRONSEAL_FORCE_SOFT`).
    BackendUnavailable(Backend),
    /// A key exchange produced the all-zero shared secret (a low-order point).
    ZeroSharedSecret,
    /// The operating system's random generator failed.
    RandomFailed,
    /// A private-key result failed its check against the public key (a
    /// fault, or an inconsistent key); nothing was released.
    FaultDetected,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadLength { what } => write!(f, "bad length: {what}"),
            Error::BadEncoding { field } => write!(f, "bad encoding: {field}"),
            Error::AuthenticationFailed => f.write_str("authentication failed"),
            Error::Unsupported { what } => write!(f, "unsupported: {what}"),
            Error::BackendUnavailable(b) => {
                write!(f, "backend {} is not available on this CPU", b.name())
            }
            Error::ZeroSharedSecret => f.write_str("key exchange produced the all-zero secret"),
            Error::RandomFailed => f.write_str("the OS random generator failed"),
            Error::FaultDetected => {
                f.write_str("private-key result failed the public-key check; nothing was released")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
