//! AES block cipher: NIST AESAVS ECB known-answer and multi-block tests on
//! every backend, CTR and blocks against the portable backend on random
//! inputs, and against ring's AES (through QUIC header protection).

// tests/common trips clippy::manual_is_multiple_of on Rust 1.95 (shared file,
// not ours to edit).
mod common;

use common::{Tally, hex};
use ironseal::Error;
use ironseal::aes::{self, Aes128, Aes192, Aes256};
use ironseal::cpu::{self, Backend, Primitive};
use proptest::prelude::*;

/// An AES key of any size, on one backend.
enum AnyAes {
    A128(Aes128),
    A192(Aes192),
    A256(Aes256),
}

impl AnyAes {
    fn new(key: &[u8], b: Backend) -> Result<Self, Error> {
        Ok(match key.len() {
            16 => AnyAes::A128(Aes128::with_backend(key.try_into().unwrap(), b)?),
            24 => AnyAes::A192(Aes192::with_backend(key.try_into().unwrap(), b)?),
            32 => AnyAes::A256(Aes256::with_backend(key.try_into().unwrap(), b)?),
            _ => return Err(Error::BadLength { what: "key" }),
        })
    }

    fn encrypt(&self, blocks: &mut [[u8; 16]]) {
        match self {
            AnyAes::A128(k) => k.encrypt_blocks(blocks),
            AnyAes::A192(k) => k.encrypt_blocks(blocks),
            AnyAes::A256(k) => k.encrypt_blocks(blocks),
        }
    }

    fn decrypt(&self, blocks: &mut [[u8; 16]]) {
        match self {
            AnyAes::A128(k) => k.decrypt_blocks(blocks),
            AnyAes::A192(k) => k.decrypt_blocks(blocks),
            AnyAes::A256(k) => k.decrypt_blocks(blocks),
        }
    }

    fn ctr(&self, counter: &[u8; 16], data: &mut [u8]) {
        match self {
            AnyAes::A128(k) => k.apply_ctr32(counter, data),
            AnyAes::A192(k) => k.apply_ctr32(counter, data),
            AnyAes::A256(k) => k.apply_ctr32(counter, data),
        }
    }
}

fn to_blocks(b: &[u8]) -> Vec<[u8; 16]> {
    assert!(b.len().is_multiple_of(16), "not whole blocks");
    b.chunks_exact(16).map(|c| c.try_into().unwrap()).collect()
}

const ECB_FILES: [&str; 10] = [
    "ECBGFSbox128.rsp",
    "ECBGFSbox256.rsp",
    "ECBKeySbox128.rsp",
    "ECBKeySbox256.rsp",
    "ECBMMT128.rsp",
    "ECBMMT256.rsp",
    "ECBVarKey128.rsp",
    "ECBVarKey256.rsp",
    "ECBVarTxt128.rsp",
    "ECBVarTxt256.rsp",
];

#[test]
fn nist_ecb_every_backend() {
    let backends: Vec<Backend> = aes::backends().collect();
    assert!(backends.contains(&Backend::Portable));
    let mut tally = Tally::default();
    for file in ECB_FILES {
        let key_bits: usize = file[file.len() - 7..file.len() - 4].parse().unwrap();
        for b in &backends {
            let records = common::cavp(&format!("nist/aes/{file}"));
            assert!(!records.is_empty(), "{file}: no records");
            for mut r in records {
                let encrypt = r.opt("ENCRYPT").is_some();
                let decrypt = r.opt("DECRYPT").is_some();
                assert!(encrypt != decrypt, "{}: neither or both of ENCRYPT/DECRYPT", r.origin);
                r.skip("COUNT");
                let key = r.hex("KEY");
                assert_eq!(key.len() * 8, key_bits, "{}", r.origin);
                let pt = r.hex("PLAINTEXT");
                let ct = r.hex("CIPHERTEXT");
                let k = AnyAes::new(&key, *b).unwrap();
                if encrypt {
                    let mut blocks = to_blocks(&pt);
                    k.encrypt(&mut blocks);
                    assert_eq!(hex(blocks.as_flattened()), hex(&ct), "{} [{b}] encrypt", r.origin);
                } else {
                    let mut blocks = to_blocks(&ct);
                    k.decrypt(&mut blocks);
                    assert_eq!(hex(blocks.as_flattened()), hex(&pt), "{} [{b}] decrypt", r.origin);
                }
                tally.pass(file, b.name());
            }
        }
    }
    assert!(tally.report() > 0);
}

#[test]
fn unimplemented_backends_are_refused() {
    let key = [7u8; 16];
    for b in cpu::available(Primitive::Aes).iter().copied() {
        let r = Aes128::with_backend(&key, b);
        if aes::backends().any(|x| x == b) {
            assert_eq!(r.unwrap().backend(), b);
        } else {
            assert_eq!(r.err(), Some(Error::BackendUnavailable(b)));
        }
    }
    // A backend for another architecture is never available.
    let other = if cfg!(target_arch = "aarch64") { Backend::X86AesNiClmul } else { Backend::Aarch64AesPmull };
    assert_eq!(Aes256::with_backend(&[0; 32], other).err(), Some(Error::BackendUnavailable(other)));
    assert_eq!(Aes128::new(&key).backend(), aes::backends().next().unwrap());
    common::assert_aarch64_expectation(Primitive::Aes, Backend::Aarch64AesPmull);
}

/// CTR through the public API equals ECB of the counter blocks, with the
/// 32-bit counter wrapping.
#[test]
fn ctr_wraps_32_bits() {
    let mut counter = [0x11u8; 16];
    counter[12..].copy_from_slice(&0xffff_fffeu32.to_be_bytes());
    for b in aes::backends() {
        let k = AnyAes::new(&[3u8; 16], b).unwrap();
        let mut data = vec![0u8; 16 * 5];
        k.ctr(&counter, &mut data);
        let mut blocks: Vec<[u8; 16]> = (0..5u32)
            .map(|i| {
                let mut c = counter;
                c[12..].copy_from_slice(&0xffff_fffeu32.wrapping_add(i).to_be_bytes());
                c
            })
            .collect();
        k.encrypt(&mut blocks);
        assert_eq!(data, blocks.as_flattened(), "[{b}]");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn backends_match_portable(key_len in prop::sample::select(vec![16usize, 24, 32]),
                               key in prop::collection::vec(any::<u8>(), 32),
                               counter in any::<[u8; 16]>(),
                               data in prop::collection::vec(any::<u8>(), 0..=600)) {
        let key = &key[..key_len];
        let soft = AnyAes::new(key, Backend::Portable).unwrap();
        let whole = data.len() / 16 * 16;
        let mut want_ecb = to_blocks(&data[..whole]);
        soft.encrypt(&mut want_ecb);
        let mut want_ctr = data.clone();
        soft.ctr(&counter, &mut want_ctr);
        let mut back = want_ecb.clone();
        soft.decrypt(&mut back);
        prop_assert_eq!(back.as_flattened(), &data[..whole]);
        for b in aes::backends() {
            let k = AnyAes::new(key, b).unwrap();
            let mut ecb = to_blocks(&data[..whole]);
            k.encrypt(&mut ecb);
            prop_assert_eq!(&ecb, &want_ecb, "[{}] ecb", b);
            k.decrypt(&mut ecb);
            prop_assert_eq!(ecb.as_flattened(), &data[..whole], "[{}] ecb decrypt", b);
            let mut ctr = data.clone();
            k.ctr(&counter, &mut ctr);
            prop_assert_eq!(&ctr, &want_ctr, "[{}] ctr", b);
        }
    }

    /// ring exposes raw AES only as QUIC header protection: the mask is the
    /// first five bytes of AES(key, sample).
    #[test]
    fn matches_ring_quic_mask(key in any::<[u8; 32]>(), sample in any::<[u8; 16]>()) {
        use ring::aead::quic::{AES_128, AES_256, HeaderProtectionKey};
        let r128 = HeaderProtectionKey::new(&AES_128, &key[..16]).unwrap().new_mask(&sample).unwrap();
        let r256 = HeaderProtectionKey::new(&AES_256, &key).unwrap().new_mask(&sample).unwrap();
        for b in aes::backends() {
            let mut x = sample;
            Aes128::with_backend(key[..16].try_into().unwrap(), b).unwrap().encrypt_block(&mut x);
            prop_assert_eq!(&x[..5], &r128[..], "[{}] AES-128", b);
            let mut x = sample;
            Aes256::with_backend(&key, b).unwrap().encrypt_block(&mut x);
            prop_assert_eq!(&x[..5], &r256[..], "[{}] AES-256", b);
        }
    }
}
