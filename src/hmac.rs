//! HMAC (RFC 2104, FIPS 198-1), generic over the hash.
//!
//! `Hmac::new` absorbs the padded key into an inner and an outer hasher once;
//! cloning the keyed value reuses that work for every message.

use core::fmt;

use crate::Error;
use crate::cpu::Backend;
use crate::ct;
use crate::hash::Hash;

/// The longest hash block we support (SHA-512's).
const MAX_BLOCK: usize = 128;

/// A keyed HMAC computation. Clone a keyed value to MAC many messages.
#[derive(Clone)]
pub struct Hmac<H: Hash> {
    inner: H,
    outer: H,
}

impl<H: Hash> Hmac<H> {
    /// Keys a new HMAC. Keys longer than the hash block are hashed first.
    pub fn new(key: &[u8]) -> Self {
        Self::keyed(key, H::new)
    }

    /// Keys a new HMAC whose hashers run on a chosen backend.
    pub fn with_backend(key: &[u8], backend: Backend) -> Result<Self, Error> {
        let fresh = H::with_backend(backend)?;
        Ok(Self::keyed(key, || fresh.clone()))
    }

    fn keyed(key: &[u8], fresh: impl Fn() -> H) -> Self {
        const { assert!(H::BLOCK_LEN <= MAX_BLOCK && H::OUTPUT_LEN <= H::BLOCK_LEN) };
        let mut block = [0u8; MAX_BLOCK];
        let block = &mut block[..H::BLOCK_LEN];
        if key.len() > H::BLOCK_LEN {
            let mut kh = fresh();
            kh.update(key);
            let mut kd = kh.finalize();
            block[..H::OUTPUT_LEN].copy_from_slice(kd.as_ref());
            ct::wipe(kd.as_mut());
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        for b in block.iter_mut() {
            *b ^= 0x36;
        }
        let mut inner = fresh();
        inner.update(block);
        inner.flush();
        for b in block.iter_mut() {
            *b ^= 0x36 ^ 0x5c;
        }
        let mut outer = fresh();
        outer.update(block);
        outer.flush();
        ct::wipe(block);
        Hmac { inner, outer }
    }

    /// Absorbs message bytes.
    #[inline]
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// Finishes and returns the full-length tag.
    #[inline]
    pub fn finalize(self) -> H::Output {
        let Hmac { inner, mut outer } = self;
        let mut ih = inner.finalize();
        outer.update(ih.as_ref());
        ct::wipe(ih.as_mut());
        outer.finalize()
    }

    /// Finishes and compares with `tag` in constant time. `tag` must be the
    /// full length.
    pub fn finalize_verify(self, tag: &[u8]) -> Result<(), Error> {
        let mac = self.finalize();
        if ct::bytes_eq(mac.as_ref(), tag) { Ok(()) } else { Err(Error::AuthenticationFailed) }
    }

    /// The HMAC of `msg` under `key`.
    pub fn mac(key: &[u8], msg: &[u8]) -> H::Output {
        let mut m = Self::new(key);
        m.update(msg);
        m.finalize()
    }

    /// Checks a full-length `tag` over `msg` in constant time.
    pub fn verify(key: &[u8], msg: &[u8], tag: &[u8]) -> Result<(), Error> {
        if tag.len() != H::OUTPUT_LEN {
            return Err(Error::BadLength { what: "HMAC tag" });
        }
        let mut m = Self::new(key);
        m.update(msg);
        m.finalize_verify(tag)
    }

    /// Checks a tag truncated to its leading bytes (RFC 2104 §5, RFC 4231
    /// §4.6): at least 16 bytes, or half the hash length when that is less
    /// (10 bytes for SHA-1, RFC 2104's floor of 80 bits); at most the full length.
    pub fn verify_truncated(key: &[u8], msg: &[u8], tag: &[u8]) -> Result<(), Error> {
        let min = (H::OUTPUT_LEN / 2).clamp(10, 16);
        if tag.len() < min || tag.len() > H::OUTPUT_LEN {
            return Err(Error::BadLength { what: "truncated HMAC tag" });
        }
        let mac = Self::mac(key, msg);
        if ct::bytes_eq(&mac.as_ref()[..tag.len()], tag) { Ok(()) } else { Err(Error::AuthenticationFailed) }
    }
}

impl<H: Hash> fmt::Debug for Hmac<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hmac").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha2::Sha256;

    #[test]
    fn verify_rejects() {
        let tag = Hmac::<Sha256>::mac(b"key", b"msg");
        assert!(Hmac::<Sha256>::verify(b"key", b"msg", &tag).is_ok());
        let mut bad = tag;
        bad[31] ^= 1;
        assert_eq!(Hmac::<Sha256>::verify(b"key", b"msg", &bad), Err(Error::AuthenticationFailed));
        assert!(Hmac::<Sha256>::verify(b"key", b"msg", &tag[..16]).is_err());
        assert!(Hmac::<Sha256>::verify_truncated(b"key", b"msg", &tag[..16]).is_ok());
        assert!(Hmac::<Sha256>::verify_truncated(b"key", b"msg", &tag[..15]).is_err());
    }
}
