//! RSA key generation (FIPS 186-5 Appendix A.1.3, random probable primes):
//! e = 65537, primes of exactly nlen / 2 bits with the top two bits set,
//! Miller-Rabin rounds per Table B.1, |p - q| > 2^(nlen/2 - 100).
//!
//! The private exponents are computed without division or secret branches:
//! for x = p - 1, q - 1 or lambda = lcm(p - 1, q - 1), e^-1 mod x = (1 + k x) / e
//! with k = -x^-1 mod e, where x mod e and the exact division by e use only
//! multiplications. d is taken modulo lambda, as FIPS 186-5 A.1.1 asks, and a
//! key whose d is not above 2^(nlen/2) is thrown away (step 3 of the same);
//! lambda comes from a constant-time binary gcd and an exact division by a
//! 2-adic inverse (see [`lcm_even`]).

use super::{PrivateComponents, RsaPrivateKey};
use crate::Error;
use crate::bigint::{self, Modulus, prime};
use crate::ct;
use crate::rand::Rng;

const E: u64 = 65537;

/// Marker for the prime p while the key is being assembled.
struct Pm;

impl RsaPrivateKey {
    /// A new random key of `bits` bits (2048, 3072 or 4096) with e = 65537.
    pub fn generate(bits: usize, rng: &mut impl Rng) -> Result<Self, Error> {
        if !matches!(bits, 2048 | 3072 | 4096) {
            return Err(Error::Unsupported { what: "RSA key size (2048, 3072 or 4096 bits)" });
        }
        for _ in 0..8 {
            let mut p = prime::random_rsa_prime(bits / 2, rng)?;
            let mut q = prime::random_rsa_prime(bits / 2, rng)?;
            let key = if far_apart(&p, &q, bits) { assemble(&p, &q) } else { Ok(None) };
            ct::wipe_words(&mut p);
            ct::wipe_words(&mut q);
            if let Some(key) = key? {
                return Ok(key);
            }
        }
        Err(Error::RandomFailed)
    }
}

/// Whether |p - q| > 2^(nlen/2 - 100) (FIPS 186-5 A.1.3 step 5.4). Computed
/// in constant time; only the answer is revealed.
fn far_apart(p: &[u64], q: &[u64], nbits: usize) -> bool {
    let len = p.len();
    let (mut d1, mut d2) = (vec![0u64; len], vec![0u64; len]);
    let (mut b1, mut b2) = (0u64, 0u64);
    for i in 0..len {
        let (x, b) = sub_borrow(p[i], q[i], b1);
        d1[i] = x;
        b1 = b;
        let (y, b) = sub_borrow(q[i], p[i], b2);
        d2[i] = y;
        b2 = b;
    }
    // p < q exactly when p - q borrowed.
    let mask = b1.wrapping_neg();
    let bit = nbits / 2 - 100;
    let mut high = 0u64;
    for (i, (&x, &y)) in d1.iter().zip(&d2).enumerate() {
        let v = ct::select_u64(mask, y, x);
        // Bits at positions >= bit, plus the bit itself only matters when
        // the rest are zero; "greater than 2^bit" is approximated as
        // "some bit at or above bit + 1 is set", which is stricter.
        let lo = 64 * i;
        let keep = if lo + 64 <= bit + 1 {
            0
        } else if lo > bit {
            u64::MAX
        } else {
            u64::MAX << (bit + 1 - lo)
        };
        high |= v & keep;
    }
    ct::wipe_words(&mut d1);
    ct::wipe_words(&mut d2);
    ct::eq_mask_u64(high, 0) == 0
}

fn sub_borrow(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let r = u128::from(a).wrapping_sub(u128::from(b)).wrapping_sub(u128::from(borrow));
    (r as u64, (r >> 127) as u64)
}

/// `e^-1 mod x` for x with x mod e != 0 (e = 65537 is prime). Constant time.
fn inv_e_mod(x: &[u64]) -> Vec<u64> {
    let r = prime::mod_65537(x);
    // r^(e - 2) mod e: a fixed public exponent, so a fixed sequence.
    let mut rinv = 1u64;
    for i in (0..17).rev() {
        rinv = rinv * rinv % E;
        if ((E - 2) >> i) & 1 == 1 {
            rinv = rinv * r % E;
        }
    }
    let k = E - rinv; // k x = -1 (mod e)
    // t = 1 + k x, one limb longer than x.
    let mut t = vec![0u64; x.len() + 1];
    let mut carry = 1u128;
    for (ti, &xi) in t.iter_mut().zip(x) {
        let v = u128::from(xi) * u128::from(k) + carry;
        *ti = v as u64;
        carry = v >> 64;
    }
    t[x.len()] = carry as u64;
    // Exact division by e: each quotient limb is the low limb times e^-1
    // mod 2^64; the high half of q e is carried as a borrow.
    let e_inv = {
        let mut y = E; // e e = 1 mod 8
        for _ in 0..5 {
            y = y.wrapping_mul(2u64.wrapping_sub(E.wrapping_mul(y)));
        }
        y
    };
    let mut c = 0u64;
    for ti in t.iter_mut() {
        let (v, b) = sub_borrow(*ti, c, 0);
        let qi = v.wrapping_mul(e_inv);
        c = ((u128::from(qi) * u128::from(E)) >> 64) as u64 + b;
        *ti = qi;
    }
    t.truncate(x.len());
    t
}

/// lcm(a, b) for nonzero even a and b of equal length (here p - 1 and
/// q - 1), as twice as many limbs. Constant time: with a = a' 2^i and
/// b = b' 2^j (a', b' odd), h = gcd(a', b') by a binary gcd of fixed length,
/// then lcm = a' (b' / h) 2^max(i, j), the exact quotient b' / h being b'
/// times the inverse of h modulo 2^(64 len).
fn lcm_even(a: &[u64], b: &[u64]) -> Vec<u64> {
    let len = a.len();
    let (mut a_odd, i) = strip_twos(a);
    let (mut b_odd, j) = strip_twos(b);
    let mut h = gcd_odd(&a_odd, &b_odd);
    let mut h_inv = inv_2adic(&h);
    let mut quot = mul_low(&b_odd, &h_inv);
    let mut l = vec![0u64; 2 * len];
    bigint::mul_limbs(&mut l, &a_odd, &quot);
    shift_left(&mut l, ct::select_u64(ct::lt_mask_u64(i, j), j, i));
    for v in [&mut a_odd, &mut b_odd, &mut h, &mut h_inv, &mut quot] {
        ct::wipe_words(v);
    }
    l
}

/// x / 2^v and v, for nonzero x, where 2^v is the largest power of two
/// dividing x. Constant time: one conditional one-bit shift per bit of x.
fn strip_twos(x: &[u64]) -> (Vec<u64>, u64) {
    let mut r = x.to_vec();
    let (mut v, mut done) = (0u64, 0u64);
    for _ in 0..64 * x.len() {
        let even = ct::eq_mask_u64(r[0] & 1, 0) & !done;
        shift_right_one(&mut r, even);
        v += even & 1;
        done |= !even;
    }
    (r, v)
}

/// x >>= 1 where `mask` is all ones; x unchanged where it is zero.
fn shift_right_one(x: &mut [u64], mask: u64) {
    let mut carry = 0u64;
    for w in x.iter_mut().rev() {
        let shifted = (*w >> 1) | (carry << 63);
        carry = *w & 1;
        *w = ct::select_u64(mask, shifted, *w);
    }
}

/// x <<= s (bits shifted out are lost), for a secret s below 64 x.len():
/// one conditional one-bit shift per possible value of s.
fn shift_left(x: &mut [u64], s: u64) {
    for k in 0..64 * x.len() as u64 {
        let mask = ct::lt_mask_u64(k, s);
        let mut carry = 0u64;
        for w in x.iter_mut() {
            let shifted = (*w << 1) | carry;
            carry = *w >> 63;
            *w = ct::select_u64(mask, shifted, *w);
        }
    }
}

/// gcd(a, b) for odd a and b of equal length, in constant time: Stein's
/// binary gcd with a kept odd. Each step, when b is odd, puts the smaller of
/// the two in a and subtracts it from b; then b is halved. The bit lengths
/// of a and b together drop by at least one a step, so 128 len steps leave
/// b = 0 and the gcd in a.
fn gcd_odd(a: &[u64], b: &[u64]) -> Vec<u64> {
    let len = a.len();
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    let mut diff = vec![0u64; len];
    for _ in 0..128 * len {
        let b_odd = (b[0] & 1).wrapping_neg();
        // diff = b - a, and whether that borrowed (b < a).
        let mut borrow = 0u64;
        for k in 0..len {
            let (v, br) = sub_borrow(b[k], a[k], borrow);
            diff[k] = v;
            borrow = br;
        }
        let b_less = borrow.wrapping_neg() & b_odd;
        // b odd: (a, b) = (min, |b - a|); b < a means the new a is b and
        // the new b is a - b = -(b - a).
        let mut neg_carry = 1u64;
        for k in 0..len {
            let (neg, c) = {
                let v = u128::from(!diff[k]) + u128::from(neg_carry);
                (v as u64, (v >> 64) as u64)
            };
            neg_carry = c;
            let new_a = ct::select_u64(b_less, b[k], a[k]);
            let new_b = ct::select_u64(b_odd, ct::select_u64(b_less, neg, diff[k]), b[k]);
            a[k] = new_a;
            b[k] = new_b;
        }
        shift_right_one(&mut b, u64::MAX);
    }
    ct::wipe_words(&mut b);
    ct::wipe_words(&mut diff);
    a
}

/// x^-1 mod 2^(64 len) for odd x, by Newton's iteration y = y (2 - x y),
/// which doubles the number of correct low bits each time (x x = 1 mod 8
/// gives three to start with; eleven iterations give 6144 >= 64 len).
fn inv_2adic(x: &[u64]) -> Vec<u64> {
    let mut y = x.to_vec();
    for _ in 0..11 {
        let mut t = mul_low(x, &y);
        // t = 2 - x y mod 2^(64 len) = !(x y) + 1 + 2.
        let mut carry = 3u128;
        for w in t.iter_mut() {
            let v = u128::from(!*w) + carry;
            *w = v as u64;
            carry = v >> 64;
        }
        let next = mul_low(&y, &t);
        ct::wipe_words(&mut t);
        ct::wipe_words(&mut y);
        y = next;
    }
    y
}

/// a b mod 2^(64 len), for a and b of len limbs.
fn mul_low(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut full = vec![0u64; 2 * a.len()];
    bigint::mul_limbs(&mut full, a, b);
    let low = full[..a.len()].to_vec();
    ct::wipe_words(&mut full);
    low
}

/// The key with primes p and q (limbs, equal lengths), or `None` when its d
/// would not exceed 2^(nlen/2).
fn assemble(p: &[u64], q: &[u64]) -> Result<Option<RsaPrivateKey>, Error> {
    let len = p.len();
    let mut n = vec![0u64; 2 * len];
    bigint::mul_limbs(&mut n, p, q);
    let mut pm1 = p.to_vec();
    pm1[0] &= !1;
    let mut qm1 = q.to_vec();
    qm1[0] &= !1;
    let mut lambda = lcm_even(&pm1, &qm1);
    let mut d = inv_e_mod(&lambda);
    // FIPS 186-5 A.1.1 step 3: d > 2^(nlen/2), checked as "some bit above
    // bit nlen/2 is set" (stricter by one value); only the answer is revealed.
    // (nlen/2 = 64 len: bit 0 of limb len.)
    let high = d[len + 1..].iter().fold(d[len] >> 1, |acc, &x| acc | x);
    let d_large = ct::eq_mask_u64(high, 0) == 0;
    let mut dp = inv_e_mod(&pm1);
    let mut dq = inv_e_mod(&qm1);
    // qinv = q^(p - 2) mod p (p is prime).
    let be = |x: &[u64]| {
        let mut out = vec![0u8; 8 * x.len()];
        bigint::limbs_to_be(x, &mut out);
        out
    };
    let mut p_bytes = be(p);
    let pm = Modulus::<Pm>::from_be_bytes(&p_bytes)?;
    // p - 2 = (p - 1) - 1, by a borrow chain.
    let mut pm2 = pm1.clone();
    let mut borrow = 1u64;
    for (o, &x) in pm2.iter_mut().zip(&pm1) {
        let (v, b) = sub_borrow(x, borrow, 0);
        *o = v;
        borrow = b;
    }
    let qinv = pm.from_mont(&pm.pow(&pm.reduce(q), &pm2));
    let mut qinv_bytes = vec![0u8; 8 * len];
    pm.elem_to_be_bytes(&qinv, &mut qinv_bytes)?;
    let (mut n_b, mut d_b, mut q_b, mut dp_b, mut dq_b) = (be(&n), be(&d), be(q), be(&dp), be(&dq));
    let key = RsaPrivateKey::from_components(&PrivateComponents {
        n: &n_b,
        e: &E.to_be_bytes(),
        d: &d_b,
        p: &p_bytes,
        q: &q_b,
        dp: &dp_b,
        dq: &dq_b,
        qinv: &qinv_bytes,
    });
    for v in [&mut n_b, &mut d_b, &mut q_b, &mut dp_b, &mut dq_b, &mut p_bytes, &mut qinv_bytes] {
        ct::wipe(v);
    }
    for v in [&mut pm1, &mut qm1, &mut lambda, &mut d, &mut dp, &mut dq, &mut pm2] {
        ct::wipe_words(v);
    }
    key.map(|k| d_large.then_some(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_e() {
        // x = 2^64 + 10: e^-1 mod x times e is 1 mod x.
        for x in [[10u64, 1], [u64::MAX - 1, 3], [12345, 0x8000_0000_0000_0000]] {
            let inv = inv_e_mod(&x);
            let xv = (u128::from(x[1]) << 64) | u128::from(x[0]);
            let iv = (u128::from(inv[1]) << 64) | u128::from(inv[0]);
            assert!(iv < xv);
            // (iv * e) mod xv, without overflow: iv < 2^128 / 2^17 is not
            // guaranteed, so reduce e * iv by repeated addition mod xv.
            let mut acc = 0u128;
            for _ in 0..E {
                acc = (acc + iv) % xv;
            }
            assert_eq!(acc, 1, "{x:?}");
        }
    }

    fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }

    fn limbs(x: u128) -> [u64; 2] {
        [x as u64, (x >> 64) as u64]
    }

    #[test]
    fn lcm_matches_euclid() {
        // Two-limb even numbers with various powers of two and shared
        // factors, against lcm = (a / gcd) b computed with u128 and one
        // product of limbs.
        let mut seed = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834u128;
        let mut next = || {
            seed = seed.wrapping_mul(0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645).wrapping_add(1);
            seed ^ (seed >> 67)
        };
        let mut cases = vec![(2u128, 2u128), (2, 4), (6, 10), (u128::MAX - 1, 2), (1 << 127, 1 << 100)];
        for k in 0..400 {
            let common = (next() >> (64 + k % 60)) | 1;
            let a = (next() >> (k % 90)) | 1;
            let b = (next() >> (k % 70)) | 1;
            let (a, b) = (a.wrapping_mul(common) << (1 + k % 9), b.wrapping_mul(common) << (1 + k % 5));
            if a != 0 && b != 0 {
                cases.push((a, b));
            }
        }
        for (a, b) in cases {
            let g = gcd_u128(a, b);
            let mut want = [0u64; 4];
            bigint::mul_limbs(&mut want, &limbs(a / g), &limbs(b));
            assert_eq!(lcm_even(&limbs(a), &limbs(b)), want, "{a:#x} {b:#x}");
        }
    }

    #[test]
    fn two_adic_inverse() {
        for x in [[1u64, 0, 0], [3, 0, 0], [u64::MAX, u64::MAX, u64::MAX], [0x1234_5677, 99, 1 << 63]] {
            assert_eq!(mul_low(&x, &inv_2adic(&x)), [1, 0, 0]);
        }
    }

    /// x mod m, by the long division the key checks use.
    fn rem(x: &[u64], m: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; m.len()];
        super::super::rem_limbs_ct(x, m, &mut out);
        out
    }

    #[test]
    fn generated_d_is_inverse_mod_lambda() {
        let key = RsaPrivateKey::generate(2048, &mut crate::rand::OsRng).unwrap();
        let (mut pm1, mut qm1) = (key.p.as_limbs().to_vec(), key.q.as_limbs().to_vec());
        pm1[0] &= !1;
        qm1[0] &= !1;
        let lambda = lcm_even(&pm1, &qm1);
        // d < lambda (so d is e^-1 mod lambda itself, not mod phi), d > 2^1024.
        assert_eq!(rem(&key.d, &lambda), key.d);
        assert!(key.d[17..].iter().any(|&w| w != 0) || key.d[16] > 1);
        // d e = 1 mod lambda.
        let mut de = vec![0u64; 33];
        bigint::mul_limbs(&mut de, &key.d, &[E]);
        let mut one = vec![0u64; lambda.len()];
        one[0] = 1;
        assert_eq!(rem(&de, &lambda), one);
        // And lambda is a proper divisor of phi: gcd(p - 1, q - 1) >= 2.
        let mut phi = vec![0u64; 32];
        bigint::mul_limbs(&mut phi, &pm1, &qm1);
        assert_eq!(rem(&phi, &lambda), vec![0u64; 32]);
        assert_ne!(phi, lambda);
    }

    #[test]
    fn distance_check() {
        let p = vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 << 63];
        let mut q = p.clone();
        q[0] = 5;
        assert!(!far_apart(&p, &q, 2048));
        q[15] |= 1;
        assert!(far_apart(&p, &q, 2048));
        assert!(far_apart(&q, &p, 2048));
    }
}
