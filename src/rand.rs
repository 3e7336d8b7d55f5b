//! Randomness: the [`Rng`] trait and the operating system's generator.
//!
//! Everything that needs random bytes takes `&mut impl Rng`, so tests can pass
//! a deterministic source and reproduce published traces.

use crate::Error;

/// A source of random bytes.
pub trait Rng {
    /// Fills `dest` entirely with random bytes, or fails.
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error>;
}

impl<R: Rng + ?Sized> Rng for &mut R {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        (**self).fill(dest)
    }
}

/// The operating system's cryptographic generator (`/dev/urandom`, which on
/// Linux is the getrandom pool and never blocks once seeded).
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRng;

#[cfg(feature = "std")]
impl Rng for OsRng {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        use std::io::Read;
        use std::sync::OnceLock;
        static URANDOM: OnceLock<Option<std::fs::File>> = OnceLock::new();
        let file = URANDOM
            .get_or_init(|| std::fs::File::open("/dev/urandom").ok())
            .as_ref()
            .ok_or(Error::RandomFailed)?;
        let mut f: &std::fs::File = file;
        f.read_exact(dest).map_err(|_| Error::RandomFailed)
    }
}

/// Replays fixed bytes, then fails: for tests that reproduce a published trace.
#[derive(Clone, Debug)]
pub struct Replay<'a> {
    bytes: &'a [u8],
}

impl<'a> Replay<'a> {
    /// A generator that hands out `bytes` in order.
    pub fn new(bytes: &'a [u8]) -> Self {
        Replay { bytes }
    }
}

impl Rng for Replay<'_> {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        if dest.len() > self.bytes.len() {
            return Err(Error::RandomFailed);
        }
        let (head, tail) = self.bytes.split_at(dest.len());
        dest.copy_from_slice(head);
        self.bytes = tail;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
    #[test]
    fn os_rng_fills() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        OsRng.fill(&mut a).unwrap();
        OsRng.fill(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }

    #[test]
    fn replay() {
        let mut r = Replay::new(b"abcdef");
        let mut x = [0u8; 4];
        r.fill(&mut x).unwrap();
        assert_eq!(&x, b"abcd");
        assert_eq!(r.fill(&mut x), Err(Error::RandomFailed));
    }
}
