//! Primality: trial division by small primes and Miller-Rabin with random
//! bases (FIPS 186-5 Appendix B.3), and random prime generation for RSA.
//!
//! [`is_probable_prime_vartime`] is for public numbers. Prime generation treats the
//! candidate as secret: residues by small primes are computed with
//! multiplications only, and each Miller-Rabin round runs a fixed sequence of
//! operations; a candidate found composite is discarded, so leaving the loop
//! early reveals nothing about the prime that is kept.

use super::{MAX_LIMBS, Modulus, Mont, soft};
use crate::Error;
use crate::ct;
use crate::rand::Rng;

/// The odd primes below 1024.
const SMALL_PRIMES: [u16; 171] = small_primes();

const fn small_primes() -> [u16; 171] {
    let mut out = [0u16; 171];
    let mut n = 3u16;
    let mut i = 0;
    while i < 171 {
        let mut d = 3u16;
        let mut prime = true;
        while d * d <= n {
            if n.is_multiple_of(d) {
                prime = false;
                break;
            }
            d += 2;
        }
        if prime {
            out[i] = n;
            i += 1;
        }
        n += 2;
    }
    out
}

/// `x mod s` for a small odd `s` (< 2^16), by Barrett reduction of 16-bit
/// chunks: multiplications and one masked correction, no division.
fn mod_small(x: &[u64], s: u16) -> u32 {
    // Constant time: the same operations for every value of x.
    let s = u64::from(s);
    let m = (1u128 << 48) / u128::from(s); // floor(2^48 / s)
    let mut r = 0u64;
    for &limb in x.iter().rev() {
        for k in (0..4).rev() {
            let v = (r << 16) | ((limb >> (16 * k)) & 0xffff); // < 2^32
            let q = ((u128::from(v) * m) >> 48) as u64; // floor(v / s) or one less
            let t = v - q * s; // in [0, 2s)
            r = ct::select_u64(ct::lt_mask_u64(t, s), t, t.wrapping_sub(s));
        }
    }
    r as u32
}

/// All ones when some small prime divides `x` (which is larger than all of
/// them). Constant time.
fn small_factor_mask(x: &[u64]) -> u64 {
    SMALL_PRIMES.iter().fold(0, |acc, &s| acc | ct::eq_mask_u64(u64::from(mod_small(x, s)), 0))
}

/// Marker for a prime candidate's modulus.
struct Cand;

/// Rounds of Miller-Rabin for a prime of `bits` bits used in an RSA modulus
/// (FIPS 186-5 Table B.1, error probability at most 2^-100 for 2048-bit
/// moduli and 2^-112 / 2^-128 above, with random bases).
pub fn rsa_mr_rounds(bits: usize) -> usize {
    match bits {
        0..=1023 => 44,
        1024..=1535 => 5,
        _ => 4,
    }
}

/// Miller-Rabin rounds of the odd candidate `w > 3` (`m` is `w` as a
/// modulus). `a` is the number of factors of 2 in `w - 1`, at most
/// `A_MAX`; `odd` is `(w - 1) / 2^a` as `len` limbs.
fn miller_rabin(
    m: &Modulus<Cand>,
    odd: &[u64],
    a: u64,
    rounds: usize,
    rng: &mut impl Rng,
) -> Result<bool, Error> {
    let len = m.limbs();
    let one = m.one();
    let minus_one = m.sub(&m.to_mont(&m.elem_zero()), &one);
    for _ in 0..rounds {
        let b = random_base(m, &one, &minus_one, rng)?;
        let mut z = m.pow(&b, odd);
        let mut ok =
            soft::eq_mask(&z.v[..len], &one.v[..len]) | soft::eq_mask(&z.v[..len], &minus_one.v[..len]);
        // Constant time: always A_MAX - 1 squarings; a step counts only
        // while j < a.
        for j in 1..A_MAX {
            z = m.square(&z);
            ok |= soft::eq_mask(&z.v[..len], &minus_one.v[..len]) & ct::lt_mask_u64(j, a);
        }
        if ok == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A random Miller-Rabin base in [2, w - 2], in Montgomery form. A
/// generator that keeps returning 1 or w - 1 gets `RandomFailed` after 128
/// draws (it looped forever, or counted such rounds as passed).
fn random_base(
    m: &Modulus<Cand>,
    one: &Mont<Cand>,
    minus_one: &Mont<Cand>,
    rng: &mut impl Rng,
) -> Result<Mont<Cand>, Error> {
    let len = m.limbs();
    for _ in 0..128 {
        let b = m.to_mont(&m.random_elem(rng)?);
        let bad = soft::eq_mask(&b.v[..len], &one.v[..len]) | soft::eq_mask(&b.v[..len], &minus_one.v[..len]);
        if bad == 0 {
            return Ok(b);
        }
    }
    Err(Error::RandomFailed)
}

/// Candidates with more than this many factors of 2 in `w - 1` are skipped
/// (one in 2^8), so Miller-Rabin can run a fixed number of squarings.
const A_MAX: u64 = 8;

/// `(w - 1) / 2^a` and `a` for odd `w`, with `a` capped at `A_MAX` (the
/// second value is all ones when the cap was exceeded). Constant time.
fn split_two_power(w: &[u64]) -> ([u64; MAX_LIMBS], u64, u64) {
    let len = w.len();
    let mut odd = [0u64; MAX_LIMBS];
    odd[..len].copy_from_slice(w);
    odd[0] &= !1; // w - 1, w odd
    let mut a = 0u64;
    let mut done = 0u64;
    for _ in 0..A_MAX {
        // Shift right by one while the low bit is still zero.
        let even = ct::eq_mask_u64(odd[0] & 1, 0) & !done;
        let mut carry = 0u64;
        for x in odd[..len].iter_mut().rev() {
            let shifted = (*x >> 1) | (carry << 63);
            carry = *x & 1;
            *x = ct::select_u64(even, shifted, *x);
        }
        a += even & 1;
        done |= !even;
    }
    let too_many = ct::eq_mask_u64(odd[0] & 1, 0);
    (odd, a, too_many)
}

/// Whether the public number `value` (big-endian, unsigned) is prime, with
/// `rounds` Miller-Rabin rounds on random bases after trial division.
/// Variable time: for public inputs only.
pub fn is_probable_prime_vartime(value: &[u8], rounds: usize, rng: &mut impl Rng) -> Result<bool, Error> {
    is_probable_prime_vartime_inner(value, rounds, rng, None)
}

/// As [`is_probable_prime_vartime`], multiplying on a chosen backend.
pub fn is_probable_prime_vartime_with_backend(
    value: &[u8],
    rounds: usize,
    rng: &mut impl Rng,
    backend: crate::cpu::Backend,
) -> Result<bool, Error> {
    is_probable_prime_vartime_inner(value, rounds, rng, Some(backend))
}

fn is_probable_prime_vartime_inner(
    value: &[u8],
    rounds: usize,
    rng: &mut impl Rng,
    backend: Option<crate::cpu::Backend>,
) -> Result<bool, Error> {
    let start = value.iter().position(|&b| b != 0).unwrap_or(value.len());
    let value = &value[start..];
    if value.len() > 8 * MAX_LIMBS {
        return Err(Error::Unsupported { what: "primality test above 8192 bits" });
    }
    let mut limbs = [0u64; MAX_LIMBS];
    let len = value.len().div_ceil(8).max(1);
    super::limbs_from_be(value, &mut limbs[..len]);
    let x = &limbs[..len];
    if len == 1 && x[0] < 1024 {
        return Ok(x[0] == 2 || SMALL_PRIMES.contains(&(x[0] as u16)));
    }
    if x[0] & 1 == 0 || small_factor_mask(x) != 0 {
        return Ok(false);
    }
    let m = match backend {
        Some(b) => Modulus::<Cand>::with_backend(value, b)?,
        None => Modulus::<Cand>::from_be_bytes(value)?,
    };
    let (odd, a, too_many) = split_two_power(x);
    if too_many != 0 {
        // Rare for public inputs; fall back to the textbook loop.
        return miller_rabin_vartime(&m, x, rounds, rng);
    }
    miller_rabin(&m, &odd[..len], a, rounds, rng)
}

/// Textbook Miller-Rabin for public `w` with many factors of 2 in `w - 1`.
fn miller_rabin_vartime(
    m: &Modulus<Cand>,
    w: &[u64],
    rounds: usize,
    rng: &mut impl Rng,
) -> Result<bool, Error> {
    let len = w.len();
    let mut odd = [0u64; MAX_LIMBS];
    odd[..len].copy_from_slice(w);
    odd[0] &= !1;
    let mut a = 0;
    while odd[0] & 1 == 0 {
        super::shr1(&mut odd[..len], 0);
        a += 1;
    }
    let one = m.one();
    let minus_one = m.sub(&m.to_mont(&m.elem_zero()), &one);
    let is = |x: &Mont<Cand>, y: &Mont<Cand>| soft::eq_mask(&x.v[..len], &y.v[..len]) != 0;
    'rounds: for _ in 0..rounds {
        let b = random_base(m, &one, &minus_one, rng)?;
        let mut z = m.pow(&b, &odd[..len]);
        if is(&z, &one) || is(&z, &minus_one) {
            continue;
        }
        for _ in 1..a {
            z = m.square(&z);
            if is(&z, &minus_one) {
                continue 'rounds;
            }
        }
        return Ok(false);
    }
    Ok(true)
}

/// A random prime of exactly `bits` bits (a multiple of 64, at least 512)
/// with its top two bits set (so a product of two has exactly `2 bits`
/// bits) and `p mod e != 1` for the public exponent `e = 65537` (so e is
/// invertible modulo p - 1). Returns the prime's limbs.
#[cfg(feature = "std")]
pub(crate) fn random_rsa_prime(bits: usize, rng: &mut impl Rng) -> Result<Vec<u64>, Error> {
    if !bits.is_multiple_of(64) || !(512..=64 * MAX_LIMBS / 2).contains(&bits) {
        return Err(Error::Unsupported { what: "RSA prime size" });
    }
    let len = bits / 64;
    let rounds = rsa_mr_rounds(bits);
    let mut bytes = vec![0u8; 8 * len];
    let mut limbs = vec![0u64; len];
    // FIPS 186-5 B.3.3 step 4.7: give up after 5 * nlen / 2 candidates.
    for _ in 0..5 * bits {
        rng.fill(&mut bytes)?;
        super::limbs_from_be(&bytes, &mut limbs);
        limbs[len - 1] |= 0b11 << 62;
        limbs[0] |= 1;
        let reject = small_factor_mask(&limbs) | ct::eq_mask_u64(mod_65537(&limbs), 1);
        if reject != 0 {
            continue;
        }
        let (odd, a, too_many) = split_two_power(&limbs);
        if too_many != 0 {
            continue;
        }
        let mut be = vec![0u8; 8 * len];
        super::limbs_to_be(&limbs, &mut be);
        let m = Modulus::<Cand>::from_be_bytes(&be);
        ct::wipe(&mut be);
        let m = m?;
        if miller_rabin(&m, &odd[..len], a, rounds, rng)? {
            ct::wipe(&mut bytes);
            return Ok(limbs);
        }
    }
    ct::wipe(&mut bytes);
    ct::wipe_words(&mut limbs);
    Err(Error::RandomFailed)
}

/// `x mod 65537`, using 2^16 = -1 (mod 65537), so 2^64 = 1. Constant time.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) fn mod_65537(x: &[u64]) -> u64 {
    let mut acc = 0u64;
    for &l in x {
        let c = |k: u32| (l >> (16 * k)) & 0xffff;
        acc += c(0) + c(2) + 2 * 65537 - c(1) - c(3);
    }
    acc % 65537
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_helpers() {
        assert_eq!(SMALL_PRIMES[0], 3);
        assert_eq!(SMALL_PRIMES[170], 1021);
        let x = [0x1234_5678_9abc_def0u64, 0xfedc_ba98_7654_3210, 77];
        let big = (u128::from(x[1]) << 64) | u128::from(x[0]);
        // x = x2 2^128 + big; 2^128 mod s computed by u128 arithmetic.
        let want = |s: u128| (u128::from(x[2]) * (((u128::MAX % s) + 1) % s) + big % s) % s;
        for &s in &SMALL_PRIMES {
            assert_eq!(u128::from(mod_small(&x, s)), want(u128::from(s)));
        }
        assert_eq!(u128::from(mod_65537(&x)), want(65537));
        let (odd, a, many) = split_two_power(&[0b1010_0001, 5]);
        assert_eq!((odd[0], odd[1], a, many), ((0b1010_0000 >> 5) | (5 << 59), 0, 5, 0));
        assert_ne!(split_two_power(&[1, 1]).2, 0);
    }
}
