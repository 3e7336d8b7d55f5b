//! SHA-256, HMAC-SHA256 and HKDF-SHA256: each of our backends against ring in
//! the same run. `cargo bench --bench sha2`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ironseal::cpu::{self, Primitive};
use ironseal::hkdf::Hkdf;
use ironseal::hmac::Hmac;
use ironseal::sha2::{Sha256, Sha512};
use std::hint::black_box;

fn sha256(c: &mut Criterion) {
    let mut g = c.benchmark_group("sha256");
    for len in [64usize, 1024, 16384] {
        let data = vec![0xa5u8; len];
        g.throughput(Throughput::Bytes(len as u64));
        for &b in cpu::available(Primitive::Sha256).iter() {
            g.bench_with_input(BenchmarkId::new(format!("ironseal-{b}"), len), &data, |bench, d| {
                bench.iter(|| {
                    let mut h = Sha256::with_backend(b).unwrap();
                    h.update(black_box(d));
                    h.finalize()
                })
            });
        }
        g.bench_with_input(BenchmarkId::new("ironseal-digest", len), &data, |bench, d| {
            bench.iter(|| Sha256::digest(black_box(d)))
        });
        g.bench_with_input(BenchmarkId::new("ring", len), &data, |bench, d| {
            bench.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(d)))
        });
    }
    g.finish();
}

fn sha512(c: &mut Criterion) {
    let mut g = c.benchmark_group("sha512");
    for len in [64usize, 16384] {
        let data = vec![0xa5u8; len];
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("ironseal-digest", len), &data, |bench, d| {
            bench.iter(|| Sha512::digest(black_box(d)))
        });
        g.bench_with_input(BenchmarkId::new("ring", len), &data, |bench, d| {
            bench.iter(|| ring::digest::digest(&ring::digest::SHA512, black_box(d)))
        });
    }
    g.finish();
}

fn hmac(c: &mut Criterion) {
    let mut g = c.benchmark_group("hmac-sha256-64B");
    let key = [0x0bu8; 32];
    let msg = [0x5au8; 64];
    let ours = Hmac::<Sha256>::new(&key);
    let theirs = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    g.bench_function("ironseal-keyed", |b| {
        b.iter(|| {
            let mut m = ours.clone();
            m.update(black_box(&msg));
            m.finalize()
        })
    });
    g.bench_function("ring-keyed", |b| b.iter(|| ring::hmac::sign(&theirs, black_box(&msg))));
    g.bench_function("ironseal-with-key-setup", |b| {
        b.iter(|| Hmac::<Sha256>::mac(black_box(&key), black_box(&msg)))
    });
    g.bench_function("ring-with-key-setup", |b| {
        b.iter(|| {
            ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, black_box(&key)), black_box(&msg))
        })
    });
    g.finish();
}

fn hkdf(c: &mut Criterion) {
    let mut g = c.benchmark_group("hkdf-sha256-extract-expand-32B");
    let salt = [0x11u8; 32];
    let ikm = [0x22u8; 32];
    let info = b"tls13 derived label and context";
    g.bench_function("ironseal", |b| {
        b.iter(|| {
            let mut okm = [0u8; 32];
            Hkdf::<Sha256>::extract(black_box(&salt), black_box(&ikm)).expand(info, &mut okm).unwrap();
            okm
        })
    });
    struct Len32;
    impl ring::hkdf::KeyType for Len32 {
        fn len(&self) -> usize {
            32
        }
    }
    g.bench_function("ring", |b| {
        b.iter(|| {
            let mut okm = [0u8; 32];
            let prk =
                ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, black_box(&salt)).extract(black_box(&ikm));
            prk.expand(&[info], Len32).unwrap().fill(&mut okm).unwrap();
            okm
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = sha256, sha512, hmac, hkdf
}
criterion_main!(benches);
