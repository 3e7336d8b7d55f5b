//! AES-GCM seal/open throughput: every ironseal backend this CPU runs, and
//! ring, in the same run, with 13 bytes of AAD (a TLS 1.3 record header).
//!
//! `cargo bench --bench aes_gcm`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ironseal::aes_gcm::{self, Aes128Gcm, Aes256Gcm};
use ring::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use std::hint::black_box;

const AAD: [u8; 13] = [0x17, 0x03, 0x03, 0x40, 0x11, 0, 0, 0, 0, 0, 0, 0, 1];
const NONCE: [u8; 12] = [7; 12];

fn ring_key(alg: &'static ring::aead::Algorithm, key: &[u8]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(alg, key).unwrap())
}

fn seal128(c: &mut Criterion) {
    let key = [0x42u8; 16];
    let mut g = c.benchmark_group("aes128gcm_seal");
    for len in [64usize, 1024, 16 * 1024] {
        let mut buf = vec![0u8; len];
        g.throughput(Throughput::Bytes(len as u64));
        for b in aes_gcm::backends() {
            let k = Aes128Gcm::with_backend(&key, b).unwrap();
            g.bench_with_input(BenchmarkId::new(b.name(), len), &len, |bch, _| {
                bch.iter(|| black_box(k.seal_in_place(&NONCE, &AAD, black_box(&mut buf))))
            });
        }
        let rk = ring_key(&AES_128_GCM, &key);
        g.bench_with_input(BenchmarkId::new("ring", len), &len, |bch, _| {
            bch.iter(|| {
                black_box(
                    rk.seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(NONCE),
                        Aad::from(AAD),
                        black_box(&mut buf),
                    )
                    .unwrap(),
                )
            })
        });
    }
    g.finish();
}

fn open128(c: &mut Criterion) {
    let key = [0x42u8; 16];
    let len = 16 * 1024;
    let mut g = c.benchmark_group("aes128gcm_open");
    g.throughput(Throughput::Bytes(len as u64));
    for b in aes_gcm::backends() {
        let k = Aes128Gcm::with_backend(&key, b).unwrap();
        let mut ct = vec![0u8; len];
        let tag = k.seal_in_place(&NONCE, &AAD, &mut ct);
        let mut buf = ct.clone();
        g.bench_with_input(BenchmarkId::new(b.name(), len), &len, |bch, _| {
            bch.iter(|| {
                // Decrypting in place twice alternates plaintext and
                // ciphertext; only every other open authenticates, and a
                // failed open zeroes the buffer, so restore it each time.
                buf.copy_from_slice(&ct);
                k.open_in_place(&NONCE, &AAD, black_box(&mut buf), &tag).unwrap();
            })
        });
    }
    let rk = ring_key(&AES_128_GCM, &key);
    let mut ct = vec![0u8; len];
    let tag =
        rk.seal_in_place_separate_tag(Nonce::assume_unique_for_key(NONCE), Aad::from(AAD), &mut ct).unwrap();
    ct.extend_from_slice(tag.as_ref());
    let mut buf = ct.clone();
    g.bench_with_input(BenchmarkId::new("ring", len), &len, |bch, _| {
        bch.iter(|| {
            buf.copy_from_slice(&ct);
            rk.open_in_place(Nonce::assume_unique_for_key(NONCE), Aad::from(AAD), black_box(&mut buf))
                .unwrap();
        })
    });
    g.finish();
}

fn seal256(c: &mut Criterion) {
    let key = [0x42u8; 32];
    let len = 16 * 1024;
    let mut buf = vec![0u8; len];
    let mut g = c.benchmark_group("aes256gcm_seal");
    g.throughput(Throughput::Bytes(len as u64));
    for b in aes_gcm::backends() {
        let k = Aes256Gcm::with_backend(&key, b).unwrap();
        g.bench_with_input(BenchmarkId::new(b.name(), len), &len, |bch, _| {
            bch.iter(|| black_box(k.seal_in_place(&NONCE, &AAD, black_box(&mut buf))))
        });
    }
    let rk = ring_key(&AES_256_GCM, &key);
    g.bench_with_input(BenchmarkId::new("ring", len), &len, |bch, _| {
        bch.iter(|| {
            black_box(
                rk.seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(NONCE),
                    Aad::from(AAD),
                    black_box(&mut buf),
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! { name = benches; config = config(); targets = seal128, open128, seal256 }
criterion_main!(benches);
