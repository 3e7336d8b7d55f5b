//! EMSA-PKCS1-v1_5 (RFC 8017 §9.2): the signature encoding
//! `00 01 FF..FF 00 DigestInfo`, with the DigestInfo prefixes of §9.2 note 1.

use super::HashAlg;
use crate::Error;
use crate::ct;
use crate::rand::Rng;

/// The DER of `DigestInfo` up to (and including) the digest's OCTET STRING header.
fn digest_info_prefix(alg: HashAlg) -> &'static [u8] {
    match alg {
        HashAlg::Sha1 => {
            &[0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
        }
        HashAlg::Sha224 => &[
            0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05,
            0x00, 0x04, 0x1c,
        ],
        HashAlg::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
            0x00, 0x04, 0x20,
        ],
        HashAlg::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
            0x00, 0x04, 0x30,
        ],
        HashAlg::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
            0x00, 0x04, 0x40,
        ],
    }
}

/// The `k`-byte encoded message for a signature over `msg`.
pub(super) fn encode_signature(alg: HashAlg, msg: &[u8], k: usize) -> Result<Vec<u8>, Error> {
    let prefix = digest_info_prefix(alg);
    let h = alg.digest(msg);
    let t_len = prefix.len() + h.as_ref().len();
    if k < t_len + 11 {
        return Err(Error::BadLength { what: "RSA modulus too short for this hash" });
    }
    let mut em = vec![0xffu8; k];
    em[0] = 0;
    em[1] = 1;
    em[k - t_len - 1] = 0;
    em[k - t_len..k - h.as_ref().len()].copy_from_slice(prefix);
    em[k - h.as_ref().len()..].copy_from_slice(h.as_ref());
    Ok(em)
}

/// EME-PKCS1-v1_5 encoding (RFC 8017 §7.2.1): `00 02 PS 00 M` with PS of
/// nonzero random bytes (each zero drawn is replaced by a fresh draw).
pub(super) fn encode_encryption(msg: &[u8], k: usize, rng: &mut impl Rng) -> Result<Vec<u8>, Error> {
    if k < 11 || msg.len() > k - 11 {
        return Err(Error::BadLength { what: "message too long for RSAES-PKCS1-v1_5 with this key" });
    }
    let mut em = vec![0u8; k];
    em[1] = 2;
    let ps_end = k - msg.len() - 1;
    rng.fill(&mut em[2..ps_end])?;
    for i in 2..ps_end {
        let mut tries = 0;
        while em[i] == 0 {
            tries += 1;
            if tries > 1000 {
                return Err(Error::RandomFailed);
            }
            rng.fill(&mut em[i..i + 1])?;
        }
    }
    em[k - msg.len()..].copy_from_slice(msg);
    Ok(em)
}

/// Decodes `em` (k bytes) in constant time, merging it with the synthetic
/// message `syn` (k bytes, the last `syn_len` of which are used) so that an
/// invalid encoding yields the synthetic message: writes the chosen bytes
/// over `syn` and returns the chosen length (RFC 8017 §7.2.2 with implicit
/// rejection as in draft-irtf-cfrg-rsa-guidance).
pub(super) fn decode_encryption_implicit(em: &[u8], syn: &mut [u8], syn_len: usize) -> usize {
    // Constant time: all of em is scanned and every output byte is chosen by
    // mask; nothing branches on em.
    let k = em.len();
    let mut good = ct::eq_mask_u64(u64::from(em[0]), 0) & ct::eq_mask_u64(u64::from(em[1]), 2);
    let mut looking = u64::MAX;
    let mut index = 0u64;
    for (i, &b) in em.iter().enumerate().skip(2) {
        let is_zero = ct::eq_mask_u64(u64::from(b), 0);
        index = ct::select_u64(looking & is_zero, i as u64, index);
        looking &= !is_zero;
    }
    // A separator was found, after at least eight bytes of padding.
    good &= !looking & !ct::lt_mask_u64(index, 10);
    let real_len = (k as u64).wrapping_sub(index).wrapping_sub(1);
    let len = ct::select_u64(good, real_len, syn_len as u64);
    let m8 = good as u8;
    for (s, &e) in syn.iter_mut().zip(em) {
        *s = ct::select_u8(m8, e, *s);
    }
    len as usize
}
