//! Constant-time inversion mod p = 2^255 - 19 by Bernstein and Yang's
//! "safegcd" (Fast constant-time gcd computation and modular inversion,
//! TCHES 2019), in its half-delta form: ten batches of 59 steps (590 in all,
//! the proven bound for 256-bit moduli), each batch worked out on the low 64
//! bits as a 2x2 matrix and then applied to the full numbers in signed
//! radix 2^62. Every step runs the same instructions whatever the input.

use super::field::Field;

const M62: u64 = u64::MAX >> 2;

/// A signed number in radix 2^62: limbs 0-3 in [0, 2^62), limb 4 signed.
type S62 = [i64; 5];

/// p in radix 2^62.
const P: S62 =
    [0x3fff_ffff_ffff_ffed, 0x3fff_ffff_ffff_ffff, 0x3fff_ffff_ffff_ffff, 0x3fff_ffff_ffff_ffff, 0x7f];
/// p^-1 mod 2^62.
const P_INV62: u64 = 0x3943_5e50_d794_35e5;

/// The matrix of a batch of steps, scaled by 2^62: [u v; q r].
struct Trans {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 59 half-delta divsteps on the low bits of f (odd) and g; returns the new
/// zeta = -(delta + 1/2) and the matrix, scaled by 2^62. Run as 30 then 29
/// steps, each on a matrix packed two entries to a word (see
/// [`divsteps_packed`]), then the two matrices multiplied.
fn divsteps_59<F: Field>(fd: F, zeta: i64, f0: u64, g0: u64) -> (i64, Trans) {
    let (zeta, f, g, a) = divsteps_packed(fd, zeta, f0, g0, 30);
    let (zeta, _, _, b) = divsteps_packed(fd, zeta, f, g, 29);
    // b a is the matrix of all 59 steps, scaled by 2^59: each step doubles
    // one row and adds or subtracts it to or from the other, so no entry
    // exceeds 2^59 in size (nor does either product in a sum), and the
    // factor 8 up to 2^62 fits.
    let t = Trans {
        u: (b.u * a.u + b.v * a.q) << 3,
        v: (b.u * a.v + b.v * a.r) << 3,
        q: (b.q * a.u + b.r * a.q) << 3,
        r: (b.q * a.v + b.r * a.r) << 3,
    };
    (zeta, t)
}

/// `n` (at most 30) half-delta divsteps on the low bits of f (odd) and g;
/// returns zeta, f and g after them, and the matrix scaled by 2^n. Each
/// matrix row lives in one word, u + 2^32 v and q + 2^32 r: after i
/// steps no entry exceeds 2^i <= 2^30 in size (a step doubles one row and
/// adds or subtracts it to or from the other), so the packed sums and
/// doublings are exact and each low half sign-extends back. Fewer
/// instructions per step than four separate entries. Branch-free: each
/// step's choice is a mask.
#[inline(always)]
fn divsteps_packed<F: Field>(
    fd: F,
    mut zeta: i64,
    mut f: u64,
    mut g: u64,
    n: usize,
) -> (i64, u64, u64, Trans) {
    let (mut uv, mut qr) = (1u64, 1u64 << 32);
    for _ in 0..n {
        // c1: zeta < 0; c2: g odd.
        let c1 = fd.opaque((zeta >> 63) as u64);
        let c2 = fd.opaque((g & 1).wrapping_neg());
        // g += (c1 ? -f : f) when g is odd, and the same on the matrix rows.
        let x = (f ^ c1).wrapping_sub(c1);
        let y = (uv ^ c1).wrapping_sub(c1);
        g = g.wrapping_add(x & c2);
        qr = qr.wrapping_add(y & c2);
        // When both held: zeta = -zeta - 2 and f takes the old g (f + (g - f)).
        let c = c1 & c2;
        zeta = (zeta ^ c as i64).wrapping_sub(1);
        f = f.wrapping_add(g & c);
        uv = uv.wrapping_add(qr & c);
        g >>= 1;
        uv <<= 1;
    }
    let u = i64::from(uv as i32);
    let q = i64::from(qr as i32);
    let t = Trans {
        u,
        v: (uv.wrapping_sub(u as u64) as i64) >> 32,
        q,
        r: (qr.wrapping_sub(q as u64) as i64) >> 32,
    };
    (zeta, f, g, t)
}

#[inline(always)]
fn m(a: i64, b: i64) -> i128 {
    i128::from(a) * i128::from(b)
}

/// (f, g) = t [f, g] / 2^62; the division is exact by construction.
fn update_fg(f: &mut S62, g: &mut S62, t: &Trans) {
    let mut cf = m(t.u, f[0]) + m(t.v, g[0]);
    let mut cg = m(t.q, f[0]) + m(t.r, g[0]);
    debug_assert!(cf as u64 & M62 == 0 && cg as u64 & M62 == 0);
    cf >>= 62;
    cg >>= 62;
    for i in 1..5 {
        cf += m(t.u, f[i]) + m(t.v, g[i]);
        cg += m(t.q, f[i]) + m(t.r, g[i]);
        f[i - 1] = (cf as u64 & M62) as i64;
        g[i - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f[4] = cf as i64;
    g[4] = cg as i64;
}

/// (d, e) = t [d, e] / 2^62 mod p, keeping both in (-2p, p): multiples of
/// p are added so the low 62 bits vanish (and to offset negative inputs).
fn update_de<F: Field>(fd: F, d: &mut S62, e: &mut S62, t: &Trans) {
    let sd = fd.opaque(d[4] as u64) as i64 >> 63;
    let se = fd.opaque(e[4] as u64) as i64 >> 63;
    let mut md = (t.u & sd) + (t.v & se);
    let mut me = (t.q & sd) + (t.r & se);
    let mut cd = m(t.u, d[0]) + m(t.v, e[0]);
    let mut ce = m(t.q, d[0]) + m(t.r, e[0]);
    md -= (P_INV62.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64;
    me -= (P_INV62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64;
    cd += m(P[0], md);
    ce += m(P[0], me);
    debug_assert!(cd as u64 & M62 == 0 && ce as u64 & M62 == 0);
    cd >>= 62;
    ce >>= 62;
    for i in 1..5 {
        cd += m(t.u, d[i]) + m(t.v, e[i]) + m(P[i], md);
        ce += m(t.q, d[i]) + m(t.r, e[i]) + m(P[i], me);
        d[i - 1] = (cd as u64 & M62) as i64;
        e[i - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d[4] = cd as i64;
    e[4] = ce as i64;
}

/// Adds p when `mask` is all ones. (Without the `black_box` the compiler
/// turns this into a branch on the sign.)
#[inline(always)]
fn cond_add_p<F: Field>(fd: F, r: &mut S62, mask: i64) {
    let mask = fd.opaque(mask as u64) as i64;
    for (x, p) in r.iter_mut().zip(P) {
        *x += p & mask;
    }
}

/// Brings limbs 0-3 back into [0, 2^62).
#[inline(always)]
fn carry(r: &mut S62) {
    for i in 0..4 {
        r[i + 1] += r[i] >> 62;
        r[i] &= M62 as i64;
    }
}

/// r in (-2p, p) times the sign of `sign` (the top limb of f = +-1),
/// reduced into [0, p).
fn normalize<F: Field>(fd: F, r: &mut S62, sign: i64) {
    cond_add_p(fd, r, r[4] >> 63);
    let neg = fd.opaque(sign as u64) as i64 >> 63;
    for x in r.iter_mut() {
        *x = (*x ^ neg) - neg;
    }
    carry(r);
    cond_add_p(fd, r, r[4] >> 63);
    carry(r);
}

/// 1/x mod p for x < p given as little-endian words (0 for 0, like x^(p-2)).
pub(super) fn invert<F: Field>(fd: F, x: &[u64; 4]) -> [u64; 4] {
    let mut g: S62 = [
        (x[0] & M62) as i64,
        ((x[0] >> 62 | x[1] << 2) & M62) as i64,
        ((x[1] >> 60 | x[2] << 4) & M62) as i64,
        ((x[2] >> 58 | x[3] << 6) & M62) as i64,
        (x[3] >> 56) as i64,
    ];
    let mut f = P;
    // Invariants (mod p): d x = f, e x = g.
    let mut d: S62 = [0; 5];
    let mut e: S62 = [1, 0, 0, 0, 0];
    let mut zeta = -1i64;
    for _ in 0..10 {
        let (z, t) = divsteps_59(fd, zeta, f[0] as u64, g[0] as u64);
        zeta = z;
        update_de(fd, &mut d, &mut e, &t);
        update_fg(&mut f, &mut g, &t);
    }
    // Now g = 0 and f = +-1 (f stays p when x = 0, and d stays 0).
    normalize(fd, &mut d, f[4]);
    let out = [
        d[0] as u64 | (d[1] as u64) << 62,
        (d[1] as u64) >> 2 | (d[2] as u64) << 60,
        (d[2] as u64) >> 4 | (d[3] as u64) << 58,
        (d[3] as u64) >> 6 | (d[4] as u64) << 56,
    ];
    crate::ct::wipe_words(&mut d);
    crate::ct::wipe_words(&mut e);
    crate::ct::wipe_words(&mut f);
    crate::ct::wipe_words(&mut g);
    out
}

#[cfg(test)]
mod tests {
    use super::super::soft;
    use super::*;

    #[test]
    fn matches_fermat() {
        let mx = u64::MAX;
        let mut xs = vec![
            [0, 0, 0, 0],
            [1, 0, 0, 0],
            [2, 0, 0, 0],
            [19, 0, 0, 0],
            [mx - 19, mx, mx, mx >> 1],
            [mx - 20, mx, mx, mx >> 1],
            [0, 0, 0, 1 << 62],
            [mx, mx, mx, mx >> 2],
            [1 << 62, 0, 0, 0],
            [0, 1, 0, 0],
        ];
        let mut s = 0x0123_4567_89ab_cdefu64;
        for _ in 0..2000 {
            xs.push(soft::to_words(&soft::from_words(&core::array::from_fn(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s
            }))));
        }
        // Values with long runs of zero or one bits stress the step bound.
        for i in 0..255 {
            let mut w = [0u64; 4];
            w[i / 64] = 1 << (i % 64);
            xs.push(w);
            xs.push(soft::to_words(&soft::sub(&[0; 5], &soft::from_words(&w))));
        }
        for x in xs {
            let want = soft::to_words(&soft::invert(&soft::from_words(&x)));
            assert_eq!(invert(soft::Soft, &x), want, "{x:x?}");
            #[cfg(target_arch = "x86_64")]
            if let Some(fd) = super::super::x86_64::MulxAdx::new() {
                assert_eq!(invert(fd, &x), want, "{x:x?}");
            }
        }
    }
}
