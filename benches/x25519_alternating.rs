//! X25519 against ring with the two measured alternately in one process:
//! short bursts of each in turn, the fastest burst of each kept. A shared
//! host changes speed from one minute to the next, and criterion measures
//! one function after another, seconds apart; here every ratio comes from
//! bursts a few hundred microseconds apart.
//!
//! `cargo bench --bench x25519_alternating [-- ROUNDS]` (default 60)

use std::hint::black_box;
use std::time::Instant;

use ironseal::cpu::{self, Primitive};
use ironseal::x25519;
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};

const BURST: usize = 100;

/// Seconds per call of one burst of `f`.
fn burst(mut f: impl FnMut(usize)) -> f64 {
    let t = Instant::now();
    for i in 0..BURST {
        f(i);
    }
    t.elapsed().as_secs_f64() / BURST as f64
}

fn main() {
    // `cargo bench` passes `--bench`; the first number is the round count.
    let rounds = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(60usize);
    let rng = ring::rand::SystemRandom::new();
    let u = x25519::x25519_base(&[0xa5; 32]);
    let backends: Vec<_> = cpu::available(Primitive::X25519).iter().copied().collect();
    // Best seconds per call: [ring shared, ring public key], then per
    // backend [shared, public key].
    let mut ring_best = [f64::MAX; 2];
    let mut ours_best = vec![[f64::MAX; 2]; backends.len()];
    let ring_sk = EphemeralPrivateKey::generate(&X25519, &rng).unwrap();
    for _ in 0..rounds {
        // ring consumes its private key in the agreement: the keys are made
        // before the timed burst.
        let keys: Vec<_> =
            (0..BURST).map(|_| Some(EphemeralPrivateKey::generate(&X25519, &rng).unwrap())).collect();
        let mut keys = keys.into_iter();
        let t = burst(|_| {
            let sk = keys.next().flatten().unwrap();
            let peer = UnparsedPublicKey::new(&X25519, black_box(&u));
            black_box(agreement::agree_ephemeral(sk, &peer, |s| s[0]).unwrap());
        });
        ring_best[0] = ring_best[0].min(t);
        for (b, best) in backends.iter().zip(&mut ours_best) {
            let t = burst(|i| {
                let mut k = [0x5au8; 32];
                k[0] = i as u8;
                black_box(x25519::x25519_with(*b, black_box(&k), black_box(&u)).unwrap());
            });
            best[0] = best[0].min(t);
        }
        let t = burst(|_| {
            black_box(black_box(&ring_sk).compute_public_key().unwrap());
        });
        ring_best[1] = ring_best[1].min(t);
        for (b, best) in backends.iter().zip(&mut ours_best) {
            let t = burst(|i| {
                let mut k = [0x5au8; 32];
                k[1] = i as u8;
                black_box(x25519::x25519_base_with(*b, black_box(&k)).unwrap());
            });
            best[1] = best[1].min(t);
        }
    }
    let us = |s: f64| s * 1e6;
    println!("x25519, best of {rounds} alternating bursts of {BURST} calls");
    println!("  ring: shared secret {:.2} us, public key {:.2} us", us(ring_best[0]), us(ring_best[1]));
    for (b, best) in backends.iter().zip(&ours_best) {
        println!(
            "  {}: shared secret {:.2} us ({:.2}x ring's speed), public key {:.2} us ({:.2}x)",
            b.name(),
            us(best[0]),
            ring_best[0] / best[0],
            us(best[1]),
            ring_best[1] / best[1]
        );
    }
}
