//! HKDF (RFC 5869), generic over the hash.
//!
//! [`Hkdf::extract`] keeps the pseudorandom key as a keyed HMAC, so every
//! `expand` from it starts from precomputed pad states.

use core::fmt;

use crate::Error;
use crate::cpu::Backend;
use crate::ct;
use crate::hash::Hash;
use crate::hmac::Hmac;

/// A pseudorandom key, ready to expand.
#[derive(Clone)]
pub struct Hkdf<H: Hash> {
    prk: Hmac<H>,
}

impl<H: Hash> Hkdf<H> {
    /// HKDF-Extract: `salt` may be empty (the RFC's string of zeros).
    pub fn extract(salt: &[u8], ikm: &[u8]) -> Self {
        let mut prk = Self::extract_prk(salt, ikm);
        let out = Self::from_prk(prk.as_ref());
        ct::wipe(prk.as_mut());
        out
    }

    /// HKDF-Extract with every hash computed on a chosen backend.
    pub fn extract_with_backend(salt: &[u8], ikm: &[u8], backend: Backend) -> Result<Self, Error> {
        let mut m = Hmac::<H>::with_backend(salt, backend)?;
        m.update(ikm);
        let mut prk = m.finalize();
        let out = Hmac::with_backend(prk.as_ref(), backend).map(|prk| Hkdf { prk });
        ct::wipe(prk.as_mut());
        out
    }

    /// HKDF-Extract, returning the raw pseudorandom key bytes.
    pub fn extract_prk(salt: &[u8], ikm: &[u8]) -> H::Output {
        // An empty salt is HashLen zeros; HMAC pads both the same way.
        Hmac::<H>::mac(salt, ikm)
    }

    /// Uses `prk` directly as the pseudorandom key (for protocols such as
    /// TLS 1.3 that expand from secrets they derived themselves).
    pub fn from_prk(prk: &[u8]) -> Self {
        Hkdf { prk: Hmac::new(prk) }
    }

    /// HKDF-Expand into `okm`. `Err` when more than 255 × HashLen bytes are asked.
    pub fn expand(&self, info: &[u8], okm: &mut [u8]) -> Result<(), Error> {
        self.expand_parts(&[info], okm)
    }

    /// HKDF-Expand with `info` given as the concatenation of `info_parts`.
    pub fn expand_parts(&self, info_parts: &[&[u8]], okm: &mut [u8]) -> Result<(), Error> {
        if okm.len() > 255 * H::OUTPUT_LEN {
            return Err(Error::BadLength { what: "HKDF output longer than 255 * HashLen" });
        }
        let mut prev: Option<H::Output> = None;
        for (i, chunk) in okm.chunks_mut(H::OUTPUT_LEN).enumerate() {
            let mut m = self.prk.clone();
            if let Some(p) = prev.as_ref() {
                m.update(p.as_ref());
            }
            for part in info_parts {
                m.update(part);
            }
            m.update(&[(i + 1) as u8]);
            let t = m.finalize();
            chunk.copy_from_slice(&t.as_ref()[..chunk.len()]);
            if let Some(p) = prev.as_mut() {
                ct::wipe(p.as_mut());
            }
            prev = Some(t);
        }
        if let Some(p) = prev.as_mut() {
            ct::wipe(p.as_mut());
        }
        Ok(())
    }
}

impl<H: Hash> fmt::Debug for Hkdf<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hkdf").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha2::Sha256;

    #[test]
    fn length_limit() {
        let k = Hkdf::<Sha256>::extract(b"", b"ikm");
        let mut ok = [0u8; 255 * 32];
        assert!(k.expand(b"", &mut ok).is_ok());
        let mut too_long = [0u8; 255 * 32 + 1];
        assert!(k.expand(b"", &mut too_long).is_err());
        let mut empty = [0u8; 0];
        assert!(k.expand(b"", &mut empty).is_ok());
    }
}
