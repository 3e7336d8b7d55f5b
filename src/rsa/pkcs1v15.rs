//! EMSA-PKCS1-v1_5 (RFC 8017 §9.2): the signature encoding
//! `00 01 FF..FF 00 DigestInfo`, with the DigestInfo prefixes of §9.2 note 1.

use super::HashAlg;
use crate::Error;

/// The DER of `DigestInfo` up to (and including) the digest's OCTET STRING header.
fn digest_info_prefix(alg: HashAlg) -> &'static [u8] {
    match alg {
        HashAlg::Sha1 => {
            &[0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]
        }
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
