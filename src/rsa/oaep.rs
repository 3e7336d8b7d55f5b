//! EME-OAEP (RFC 8017 §7.1) with MGF1 over the same hash. Decoding runs in
//! constant time and fails without saying why (Manger's attack).

use super::HashAlg;
use super::pss::mgf1_xor;
use crate::Error;
use crate::ct;
use crate::rand::Rng;

/// The `k`-byte encoded message `00 || maskedSeed || maskedDB`.
pub(super) fn encode(
    alg: HashAlg,
    label: &[u8],
    msg: &[u8],
    k: usize,
    rng: &mut impl Rng,
) -> Result<Vec<u8>, Error> {
    let h_len = alg.output_len();
    if k < 2 * h_len + 2 || msg.len() > k - 2 * h_len - 2 {
        return Err(Error::BadLength { what: "message too long for RSAES-OAEP with this key and hash" });
    }
    let mut em = vec![0u8; k];
    let (seed, db) = em[1..].split_at_mut(h_len);
    db[..h_len].copy_from_slice(alg.digest(label).as_ref());
    let db_len = db.len();
    db[db_len - msg.len() - 1] = 1;
    db[db_len - msg.len()..].copy_from_slice(msg);
    rng.fill(seed)?;
    mgf1_xor(alg, seed, db);
    mgf1_xor(alg, db, seed);
    Ok(em)
}

/// Decodes the `k`-byte `em` in place; returns the message's offset in `em`
/// when the encoding is valid. One branch, on validity, at the end.
pub(super) fn decode(alg: HashAlg, label: &[u8], em: &mut [u8]) -> Result<usize, Error> {
    // Constant time: every byte is examined whatever its value; the only
    // branch is on the final validity bit.
    let h_len = alg.output_len();
    let k = em.len();
    if k < 2 * h_len + 2 {
        return Err(Error::BadEncoding { field: "RSAES-OAEP ciphertext" });
    }
    let y = em[0];
    let (seed, db) = em[1..].split_at_mut(h_len);
    mgf1_xor(alg, db, seed);
    mgf1_xor(alg, seed, db);
    let l_hash = alg.digest(label);
    let mut good = ct::eq_mask_u64(u64::from(y), 0);
    if !ct::bytes_eq(&db[..h_len], l_hash.as_ref()) {
        good = 0;
    }
    // Find the 0x01 after the zero padding: `looking` stays set until the
    // first nonzero byte, which must be 0x01.
    let mut looking = u64::MAX;
    let mut index = 0u64;
    let mut bad = 0u64;
    for (i, &b) in db.iter().enumerate().skip(h_len) {
        let is_zero = ct::eq_mask_u64(u64::from(b), 0);
        let is_one = ct::eq_mask_u64(u64::from(b), 1);
        index = ct::select_u64(looking & is_one, i as u64, index);
        bad |= looking & !is_zero & !is_one;
        looking &= !is_one;
    }
    good &= !bad & !looking;
    if good == 0 {
        return Err(Error::BadEncoding { field: "RSAES-OAEP ciphertext" });
    }
    Ok(1 + h_len + index as usize + 1)
}
