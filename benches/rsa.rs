//! RSA sign (PKCS#1 v1.5 and PSS) and verify, 2048/3072/4096 bits: each of
//! our big-integer backends against ring in the same run; key generation.
//! `cargo bench --bench rsa`.
//! Keys: `benches/rsa-keys/*.pk8.pem` (made with `openssl genpkey`, test use only).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ironseal::bigint;
use ironseal::cpu::{self, Primitive};
use ironseal::rand::OsRng;
use ironseal::rsa::{HashAlg, RsaPrivateKey};
use ring::signature::{self as rs, KeyPair};
use std::hint::black_box;

const MSG: &[u8] = b"The quick brown fox jumps over the lazy dog";

fn key_pem(bits: usize) -> String {
    let path = format!("{}/benches/rsa-keys/rsa{bits}.pk8.pem", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn ring_key(pem: &str) -> rs::RsaKeyPair {
    let (_, der) = ironseal::pem::decode(pem).unwrap();
    rs::RsaKeyPair::from_pkcs8(&der).unwrap()
}

fn ours() -> Vec<cpu::Backend> {
    cpu::available(Primitive::BigInt).iter().copied().filter(|b| bigint::IMPLEMENTED.contains(b)).collect()
}

fn sign(c: &mut Criterion) {
    let rng = ring::rand::SystemRandom::new();
    for bits in [2048usize, 3072, 4096] {
        let pem = key_pem(bits);
        let sk = RsaPrivateKey::from_pem(&pem).unwrap();
        let kp = ring_key(&pem);
        let mut g = c.benchmark_group(format!("rsa{bits}-sign"));
        g.sample_size(20);
        for b in ours() {
            let k = sk.with_backend(b).unwrap();
            g.bench_function(BenchmarkId::new(format!("ironseal-{b}"), "pkcs1v15-sha256"), |bench| {
                bench.iter(|| k.sign_pkcs1v15(HashAlg::Sha256, black_box(MSG)).unwrap())
            });
            if bits == 2048 {
                g.bench_function(BenchmarkId::new(format!("ironseal-{b}"), "pss-sha256"), |bench| {
                    bench.iter(|| k.sign_pss(HashAlg::Sha256, black_box(MSG), &mut OsRng).unwrap())
                });
            }
        }
        let mut sig = vec![0u8; kp.public().modulus_len()];
        g.bench_function(BenchmarkId::new("ring", "pkcs1v15-sha256"), |bench| {
            bench.iter(|| kp.sign(&rs::RSA_PKCS1_SHA256, &rng, black_box(MSG), &mut sig).unwrap())
        });
        if bits == 2048 {
            g.bench_function(BenchmarkId::new("ring", "pss-sha256"), |bench| {
                bench.iter(|| kp.sign(&rs::RSA_PSS_SHA256, &rng, black_box(MSG), &mut sig).unwrap())
            });
        }
        g.finish();
    }
}

fn verify(c: &mut Criterion) {
    let pem = key_pem(2048);
    let sk = RsaPrivateKey::from_pem(&pem).unwrap();
    let kp = ring_key(&pem);
    let sig = sk.sign_pkcs1v15(HashAlg::Sha256, MSG).unwrap();
    let pss = sk.sign_pss(HashAlg::Sha256, MSG, &mut OsRng).unwrap();
    let mut g = c.benchmark_group("rsa2048-verify");
    for b in ours() {
        let pk = sk.public_key().with_backend(b).unwrap();
        g.bench_function(BenchmarkId::new(format!("ironseal-{b}"), "pkcs1v15-sha256"), |bench| {
            bench.iter(|| pk.verify_pkcs1v15(HashAlg::Sha256, black_box(MSG), black_box(&sig)).unwrap())
        });
        g.bench_function(BenchmarkId::new(format!("ironseal-{b}"), "pss-sha256"), |bench| {
            bench.iter(|| pk.verify_pss(HashAlg::Sha256, black_box(MSG), black_box(&pss)).unwrap())
        });
    }
    // ring parses the public key on every verification; parse ours too in a
    // separate line for an apples-to-apples view.
    let ring_pub = kp.public_key().as_ref().to_vec();
    g.bench_function(BenchmarkId::new("ring", "pkcs1v15-sha256"), |bench| {
        bench.iter(|| {
            rs::UnparsedPublicKey::new(&rs::RSA_PKCS1_2048_8192_SHA256, &ring_pub)
                .verify(black_box(MSG), black_box(&sig))
                .unwrap()
        })
    });
    g.bench_function(BenchmarkId::new("ring", "pss-sha256"), |bench| {
        bench.iter(|| {
            rs::UnparsedPublicKey::new(&rs::RSA_PSS_2048_8192_SHA256, &ring_pub)
                .verify(black_box(MSG), black_box(&pss))
                .unwrap()
        })
    });
    let der = sk.public_key().to_pkcs1_der();
    g.bench_function(BenchmarkId::new("ironseal-parse-and-verify", "pkcs1v15-sha256"), |bench| {
        bench.iter(|| {
            ironseal::rsa::RsaPublicKey::from_pkcs1_der(black_box(&der))
                .unwrap()
                .verify_pkcs1v15(HashAlg::Sha256, black_box(MSG), black_box(&sig))
                .unwrap()
        })
    });
    g.finish();
}

/// Key generation is random in duration; ring cannot generate RSA keys, so
/// there is no peer line here.
fn keygen(c: &mut Criterion) {
    let mut g = c.benchmark_group("rsa-keygen");
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("ironseal", 2048), |bench| {
        bench.iter(|| RsaPrivateKey::generate(2048, &mut OsRng).unwrap())
    });
    g.finish();
}

criterion_group!(benches, sign, verify, keygen);
criterion_main!(benches);
