//! EMSA-PSS (RFC 8017 §9.1) with MGF1 (§B.2.1) over the same hash.
//!
//! Everything here handles public data (messages, signatures) except the
//! encoding step's output, which is not secret either: no constant-time
//! requirement.

use super::HashAlg;
use crate::Error;

/// `out ^= MGF1(seed, out.len())`.
pub(super) fn mgf1_xor(alg: HashAlg, seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in out.chunks_mut(alg.output_len()).enumerate() {
        let c = (counter as u32).to_be_bytes();
        let mask = alg.digest_parts(&[seed, &c]);
        for (o, m) in chunk.iter_mut().zip(mask.as_ref()) {
            *o ^= m;
        }
    }
}

/// The mask that clears the `8 em_len - em_bits` leftmost bits of the first byte.
fn top_mask(em_len: usize, em_bits: usize) -> u8 {
    0xff >> (8 * em_len - em_bits)
}

/// EMSA-PSS-ENCODE into `em` (`em.len() = ceil(em_bits / 8)`).
pub(super) fn encode(
    alg: HashAlg,
    msg: &[u8],
    salt: &[u8],
    em_bits: usize,
    em: &mut [u8],
) -> Result<(), Error> {
    let (h_len, s_len, em_len) = (alg.output_len(), salt.len(), em.len());
    if em_len < h_len + s_len + 2 {
        return Err(Error::BadLength { what: "RSA modulus too short for this hash and salt" });
    }
    let m_hash = alg.digest(msg);
    let h = alg.digest_parts(&[&[0u8; 8], m_hash.as_ref(), salt]);
    let db_len = em_len - h_len - 1;
    em.fill(0);
    em[db_len - s_len - 1] = 1;
    em[db_len - s_len..db_len].copy_from_slice(salt);
    mgf1_xor(alg, h.as_ref(), &mut em[..db_len]);
    em[0] &= top_mask(em_len, em_bits);
    em[db_len..em_len - 1].copy_from_slice(h.as_ref());
    em[em_len - 1] = 0xbc;
    Ok(())
}

/// EMSA-PSS-VERIFY on `em` (`em.len() = ceil(em_bits / 8)`); the salt length
/// is recovered, and must equal `salt_len` when given.
pub(super) fn verify(
    alg: HashAlg,
    msg: &[u8],
    em: &[u8],
    em_bits: usize,
    salt_len: Option<usize>,
) -> Result<(), Error> {
    let bad = Err(Error::AuthenticationFailed);
    let (h_len, em_len) = (alg.output_len(), em.len());
    // A caller's salt length may be anything: saturate rather than overflow.
    if em_len < salt_len.unwrap_or(0).saturating_add(h_len + 2) || em[em_len - 1] != 0xbc {
        return bad;
    }
    let db_len = em_len - h_len - 1;
    let (masked_db, h) = em[..em_len - 1].split_at(db_len);
    let mask = top_mask(em_len, em_bits);
    if masked_db[0] & !mask != 0 {
        return bad;
    }
    let mut db = masked_db.to_vec();
    mgf1_xor(alg, h, &mut db);
    db[0] &= mask;
    let Some(one) = db.iter().position(|&b| b != 0) else { return bad };
    if db[one] != 1 {
        return bad;
    }
    let salt = &db[one + 1..];
    if salt_len.is_some_and(|s| s != salt.len()) {
        return bad;
    }
    let m_hash = alg.digest(msg);
    let h2 = alg.digest_parts(&[&[0u8; 8], m_hash.as_ref(), salt]);
    if h2.as_ref() == h { Ok(()) } else { bad }
}
