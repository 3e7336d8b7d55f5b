//! X25519: variable-base scalar multiplication (the shared secret) and
//! public-key generation, each of our backends against ring in the same run.
//!
//! `cargo bench --bench x25519`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ironseal::cpu::{self, Primitive};
use ironseal::x25519;
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};

fn shared_secret(c: &mut Criterion) {
    let mut g = c.benchmark_group("x25519/shared-secret");
    let k = [0x5au8; 32];
    let u = x25519::x25519_base(&[0xa5; 32]);
    for b in cpu::available(Primitive::X25519).iter().copied() {
        g.bench_function(b.name(), |bench| {
            bench.iter(|| x25519::x25519_with(b, black_box(&k), black_box(&u)).unwrap())
        });
    }
    // ring consumes its private key in the agreement: make one per call,
    // outside the timed part.
    let rng = ring::rand::SystemRandom::new();
    g.bench_function("ring", |bench| {
        bench.iter_batched(
            || EphemeralPrivateKey::generate(&X25519, &rng).unwrap(),
            |sk| {
                agreement::agree_ephemeral(sk, &UnparsedPublicKey::new(&X25519, black_box(&u)), |s| {
                    let mut out = [0u8; 32];
                    out.copy_from_slice(s);
                    out
                })
                .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn public_key(c: &mut Criterion) {
    let mut g = c.benchmark_group("x25519/public-key");
    let k = [0x5au8; 32];
    for b in cpu::available(Primitive::X25519).iter().copied() {
        g.bench_function(b.name(), |bench| {
            bench.iter(|| x25519::x25519_base_with(b, black_box(&k)).unwrap())
        });
    }
    let rng = ring::rand::SystemRandom::new();
    let sk = EphemeralPrivateKey::generate(&X25519, &rng).unwrap();
    g.bench_function("ring", |bench| bench.iter(|| black_box(&sk).compute_public_key().unwrap()));
    g.finish();
}

criterion_group!(benches, shared_secret, public_key);
criterion_main!(benches);
