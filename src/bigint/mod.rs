//! Fixed-width big integers for RSA: residues modulo an odd modulus, Montgomery
//! multiplication (Montgomery 1985; CIOS, Koç et al. 1996) and modular
//! exponentiation, constant time unless a name ends in `_vartime`.
//!
//! Numbers are little-endian arrays of 64-bit limbs of fixed capacity
//! ([`MAX_LIMBS`], 8192 bits), so no operation allocates. The number of limbs
//! of a modulus (its size) is public; its value, and every residue, may be
//! secret. Types carry meaning: a [`Modulus<M>`] only accepts [`Elem<M>`] and
//! [`Mont<M>`] of the same marker `M`, so residues of `p` cannot be passed to
//! arithmetic modulo `q`, and a Montgomery-form value cannot be mistaken for a
//! plain one.
//!
//! The multiplier is chosen when a modulus is built (see [`Modulus::with_backend`]).

pub mod prime;
mod soft;
#[cfg(target_arch = "x86_64")]
mod x86_64;

use core::fmt;
use core::marker::PhantomData;

use crate::Error;
use crate::cpu::{self, Backend, Primitive};
use crate::ct;
use crate::rand::Rng;

/// The largest modulus, in 64-bit limbs (8192 bits).
pub const MAX_LIMBS: usize = 128;

/// Bits per exponent window in [`Modulus::pow`].
const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

type Limbs = [u64; MAX_LIMBS];

/// The Montgomery multiplier a modulus uses.
#[derive(Clone, Copy, Debug)]
enum Engine {
    Portable,
    #[cfg(target_arch = "x86_64")]
    MulxAdx(x86_64::MulxAdx),
}

impl Engine {
    fn new(b: Backend) -> Result<Self, Error> {
        if !cpu::is_available(Primitive::BigInt, b) {
            return Err(Error::BackendUnavailable(b));
        }
        let e = match b {
            Backend::Portable => Some(Engine::Portable),
            #[cfg(target_arch = "x86_64")]
            Backend::X86MulxAdx => x86_64::MulxAdx::new().map(Engine::MulxAdx),
            _ => None,
        };
        e.ok_or(Error::BackendUnavailable(b))
    }

    /// The best engine this build and CPU can run.
    fn preferred() -> Self {
        cpu::available(Primitive::BigInt)
            .iter()
            .find_map(|&b| Engine::new(b).ok())
            .unwrap_or(Engine::Portable)
    }

    fn backend(self) -> Backend {
        match self {
            Engine::Portable => Backend::Portable,
            #[cfg(target_arch = "x86_64")]
            Engine::MulxAdx(_) => Backend::X86MulxAdx,
        }
    }

    /// The Montgomery square; `a < n`.
    #[inline(always)]
    fn mont_sqr(self, r: &mut [u64], a: &[u64], n: &[u64], n0: u64) {
        match self {
            Engine::Portable => soft::mont_sqr(r, a, n, n0),
            #[cfg(target_arch = "x86_64")]
            Engine::MulxAdx(t) => t.mont_sqr(r, a, n, n0),
        }
    }

    /// `out[..len]` = entry `idx` of a table of [`TABLE`] entries of `len`
    /// words, reading every entry.
    #[inline(always)]
    fn select(self, table: &[u64], len: usize, idx: u64, out: &mut [u64]) {
        #[cfg(target_arch = "x86_64")]
        if let Engine::MulxAdx(t) = self
            && t.select(table, TABLE, len, idx, out)
        {
            return;
        }
        select_from_table(table, len, idx, out);
    }

    #[inline(always)]
    fn mont_mul(self, r: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0: u64) {
        match self {
            Engine::Portable => soft::mont_mul(r, a, b, n, n0),
            #[cfg(target_arch = "x86_64")]
            Engine::MulxAdx(t) => t.mont_mul(r, a, b, n, n0),
        }
    }
}

/// The backends of [`Primitive::BigInt`] this build implements (those of
/// [`cpu::available`] that [`Modulus::with_backend`] accepts on a CPU that
/// has them).
pub const IMPLEMENTED: &[Backend] = &[
    #[cfg(target_arch = "x86_64")]
    Backend::X86MulxAdx,
    Backend::Portable,
];

/// An odd modulus `n > 1` with its Montgomery constants: `-n^-1 mod 2^64`,
/// `R mod n` and `R^2 mod n` for `R = 2^(64 len)`, computed once here.
pub struct Modulus<M> {
    n: Limbs,
    rr: Limbs,
    one: Limbs,
    n0: u64,
    len: usize,
    bits: usize,
    engine: Engine,
    _m: PhantomData<fn() -> M>,
}

/// A residue modulo the [`Modulus<M>`], in plain form, below the modulus.
pub struct Elem<M> {
    v: Limbs,
    _m: PhantomData<fn() -> M>,
}

/// A residue modulo the [`Modulus<M>`] in Montgomery form (`x R mod n`).
pub struct Mont<M> {
    v: Limbs,
    _m: PhantomData<fn() -> M>,
}

macro_rules! residue_common {
    ($t:ident) => {
        impl<M> $t<M> {
            const fn zero() -> Self {
                $t { v: [0; MAX_LIMBS], _m: PhantomData }
            }
        }
        impl<M> Clone for $t<M> {
            fn clone(&self) -> Self {
                $t { v: self.v, _m: PhantomData }
            }
        }
        impl<M> Drop for $t<M> {
            fn drop(&mut self) {
                ct::wipe_words(&mut self.v);
            }
        }
        impl<M> fmt::Debug for $t<M> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), "(..)"))
            }
        }
    };
}
residue_common!(Elem);
residue_common!(Mont);

impl<M> Drop for Modulus<M> {
    fn drop(&mut self) {
        ct::wipe_words(&mut self.n);
        ct::wipe_words(&mut self.rr);
        ct::wipe_words(&mut self.one);
    }
}

impl<M> Clone for Modulus<M> {
    fn clone(&self) -> Self {
        Modulus {
            n: self.n,
            rr: self.rr,
            one: self.one,
            n0: self.n0,
            len: self.len,
            bits: self.bits,
            engine: self.engine,
            _m: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Modulus<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Modulus({} bits, {})", self.bits, self.engine.backend())
    }
}

/// Fills `out` with the big-endian `bytes` (which must fit) as little-endian
/// limbs. Time depends only on the lengths.
fn limbs_from_be(bytes: &[u8], out: &mut [u64]) {
    out.fill(0);
    for (i, &b) in bytes.iter().rev().enumerate() {
        out[i / 8] |= u64::from(b) << (8 * (i % 8));
    }
}

/// Writes the little-endian `limbs` as big-endian bytes filling `out`
/// (truncating high limbs or padding with zeros). Time depends only on the
/// lengths.
pub fn limbs_to_be(limbs: &[u64], out: &mut [u8]) {
    for (i, o) in out.iter_mut().rev().enumerate() {
        *o = limbs.get(i / 8).map_or(0, |l| (l >> (8 * (i % 8))) as u8);
    }
}

/// Big-endian bytes to limbs for a value of public size, such as a secret
/// exponent: `out` gets `bytes` with leading zeros; bytes beyond
/// `8 * out.len()` must be zero. Constant time in the values.
pub fn be_bytes_to_limbs(bytes: &[u8], out: &mut [u64]) -> Result<(), Error> {
    let cap = 8 * out.len();
    let (high, low) = bytes.split_at(bytes.len().saturating_sub(cap));
    let acc = high.iter().fold(0u8, |a, &b| a | b);
    limbs_from_be(low, out);
    if ct::eq_mask_u64(u64::from(acc), 0) == 0 {
        return Err(Error::BadEncoding { field: "integer too large" });
    }
    Ok(())
}

/// `r = a * b` on plain limbs; `r.len() >= a.len() + b.len()`. Constant time.
pub fn mul_limbs(r: &mut [u64], a: &[u64], b: &[u64]) {
    assert!(r.len() >= a.len() + b.len(), "mul_limbs: output too short");
    soft::mul_plain(r, a, b);
}

/// `r += a` on plain limbs (`a.len() <= r.len()`), returning the carry out.
/// Constant time.
pub fn add_limbs(r: &mut [u64], a: &[u64]) -> u64 {
    soft::add_assign(r, a)
}

impl<M> Modulus<M> {
    /// The big-endian `bytes` as a modulus, on the preferred backend. Leading
    /// zero bytes are skipped (the size of a modulus is public).
    pub fn from_be_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::build(bytes, Engine::preferred())
    }

    /// As [`from_be_bytes`](Self::from_be_bytes) on a chosen backend.
    pub fn with_backend(bytes: &[u8], backend: Backend) -> Result<Self, Error> {
        Self::build(bytes, Engine::new(backend)?)
    }

    /// As [`from_be_bytes`](Self::from_be_bytes) for a modulus that is
    /// public (an RSA n): the Montgomery constants come from a long division
    /// that takes time depending on n, faster than the constant-time set-up.
    /// Never use it for a secret modulus such as an RSA prime.
    pub fn public_vartime(bytes: &[u8]) -> Result<Self, Error> {
        Self::build_with(bytes, Engine::preferred(), true)
    }

    /// As [`public_vartime`](Self::public_vartime) on a chosen backend.
    pub fn public_with_backend_vartime(bytes: &[u8], backend: Backend) -> Result<Self, Error> {
        Self::build_with(bytes, Engine::new(backend)?, true)
    }

    /// The same modulus under another marker type (for a value that plays
    /// two roles, such as a prime tested on its own).
    pub fn with_backend_of<O>(bytes: &[u8], other: &Modulus<O>) -> Result<Self, Error> {
        Self::build(bytes, other.engine)
    }

    /// The same modulus (constants included) multiplying on `backend`.
    pub fn rebind(&self, backend: Backend) -> Result<Self, Error> {
        let mut m = self.clone();
        m.engine = Engine::new(backend)?;
        Ok(m)
    }

    fn build(bytes: &[u8], engine: Engine) -> Result<Self, Error> {
        Self::build_with(bytes, engine, false)
    }

    fn build_with(bytes: &[u8], engine: Engine, public: bool) -> Result<Self, Error> {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = &bytes[start..];
        if bytes.is_empty() {
            return Err(Error::BadEncoding { field: "modulus is zero" });
        }
        let len = bytes.len().div_ceil(8);
        if len > MAX_LIMBS {
            return Err(Error::Unsupported { what: "modulus longer than 8192 bits" });
        }
        let mut n = [0u64; MAX_LIMBS];
        limbs_from_be(bytes, &mut n[..len]);
        if n[0] & 1 == 0 {
            return Err(Error::BadEncoding { field: "modulus is even" });
        }
        if len == 1 && n[0] == 1 {
            return Err(Error::BadEncoding { field: "modulus is one" });
        }
        let bits = 64 * len - n[len - 1].leading_zeros() as usize;
        let mut m = Modulus {
            n,
            rr: [0; MAX_LIMBS],
            one: [0; MAX_LIMBS],
            n0: soft::neg_inv_u64(n[0]),
            len,
            bits,
            engine,
            _m: PhantomData,
        };
        if public {
            // n is public: R mod n and R^2 mod n by long division.
            pow2_mod_vartime(&n[..len], 64 * len, &mut m.one[..len]);
            pow2_mod_vartime(&n[..len], 128 * len, &mut m.rr[..len]);
            return Ok(m);
        }
        // 2^(65 len) mod n is 2^len in Montgomery form; six Montgomery
        // squarings raise it to 2^(64 len) = R, whose Montgomery form is
        // R^2 mod n. It is reached by doubling from 2^(bits - 1) < n, so the
        // work depends only on the (public) size. All constant time.
        // On the way it passes 2^(64 len) = R mod n, the Montgomery form of 1.
        let mut x = [0u64; MAX_LIMBS];
        let mut scratch = [0u64; MAX_LIMBS];
        x[(bits - 1) / 64] = 1 << ((bits - 1) % 64);
        for k in bits..=65 * len {
            soft::double_mod(&mut x[..len], &n[..len], &mut scratch);
            if k == 64 * len {
                m.one = x;
            }
        }
        for _ in 0..6 {
            m.msq(&mut scratch, &x);
            x[..len].copy_from_slice(&scratch[..len]);
        }
        m.rr = x;
        ct::wipe_words(&mut scratch);
        Ok(m)
    }

    /// The Montgomery product of two `len`-limb values (see `soft::mont_mul`).
    #[inline(always)]
    fn mm(&self, r: &mut [u64], a: &[u64], b: &[u64]) {
        let len = self.len;
        self.engine.mont_mul(&mut r[..len], &a[..len], &b[..len], &self.n[..len], self.n0);
    }

    /// The Montgomery square of a `len`-limb value below n.
    #[inline(always)]
    fn msq(&self, r: &mut [u64], a: &[u64]) {
        let len = self.len;
        self.engine.mont_sqr(&mut r[..len], &a[..len], &self.n[..len], self.n0);
    }

    /// The backend this modulus multiplies with.
    pub fn backend(&self) -> Backend {
        self.engine.backend()
    }

    /// The size in bits (position of the top set bit plus one).
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The size in bytes.
    pub fn byte_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// The size in limbs.
    pub fn limbs(&self) -> usize {
        self.len
    }

    /// The modulus itself, as `limbs()` little-endian limbs.
    pub fn as_limbs(&self) -> &[u64] {
        &self.n[..self.len]
    }

    /// The modulus as big-endian bytes filling `out`.
    pub fn write_be_bytes(&self, out: &mut [u8]) {
        limbs_to_be(&self.n[..self.len], out);
    }

    /// The big-endian `bytes` (any length; leading zeros allowed) as a
    /// residue; `Err` when the value is not below the modulus. Constant time
    /// in the value.
    pub fn elem_from_be_bytes(&self, bytes: &[u8]) -> Result<Elem<M>, Error> {
        let mut e = Elem::zero();
        be_bytes_to_limbs(bytes, &mut e.v[..self.len])
            .map_err(|_| Error::BadEncoding { field: "integer not below the modulus" })?;
        self.check_below(e)
    }

    /// The little-endian `limbs` as a residue; `Err` when the value is not
    /// below the modulus. Constant time in the value.
    pub fn elem_from_limbs(&self, limbs: &[u64]) -> Result<Elem<M>, Error> {
        let mut e = Elem::zero();
        let (low, high) = limbs.split_at(limbs.len().min(self.len));
        e.v[..low.len()].copy_from_slice(low);
        if soft::is_zero_mask(high) == 0 {
            return Err(Error::BadEncoding { field: "integer not below the modulus" });
        }
        self.check_below(e)
    }

    fn check_below(&self, e: Elem<M>) -> Result<Elem<M>, Error> {
        if soft::lt_mask(&e.v[..self.len], &self.n[..self.len]) == 0 {
            return Err(Error::BadEncoding { field: "integer not below the modulus" });
        }
        Ok(e)
    }

    /// Writes `e` as big-endian bytes filling `out`, which must hold at least
    /// [`byte_len`](Self::byte_len) bytes (extra bytes are leading zeros).
    pub fn elem_to_be_bytes(&self, e: &Elem<M>, out: &mut [u8]) -> Result<(), Error> {
        if out.len() < self.byte_len() {
            return Err(Error::BadLength { what: "output shorter than the modulus" });
        }
        limbs_to_be(&e.v[..self.len], out);
        Ok(())
    }

    /// The limbs of `e` (`limbs()` of them).
    pub fn elem_limbs<'a>(&self, e: &'a Elem<M>) -> &'a [u64] {
        &e.v[..self.len]
    }

    /// Whether `a == b`, in constant time.
    pub fn elem_eq(&self, a: &Elem<M>, b: &Elem<M>) -> bool {
        soft::eq_mask(&a.v[..self.len], &b.v[..self.len]) != 0
    }

    /// Zero (plain).
    pub fn elem_zero(&self) -> Elem<M> {
        Elem::zero()
    }

    /// `x R mod n`.
    pub fn to_mont(&self, x: &Elem<M>) -> Mont<M> {
        let mut r = Mont::zero();
        self.mm(&mut r.v, &x.v, &self.rr);
        r
    }

    /// `x R^-1 mod n`: back to plain form.
    pub fn from_mont(&self, x: &Mont<M>) -> Elem<M> {
        let mut unit = [0u64; MAX_LIMBS];
        unit[0] = 1;
        let mut r = Elem::zero();
        self.mm(&mut r.v, &x.v, &unit);
        r
    }

    /// One, in Montgomery form (`R mod n`).
    pub fn one(&self) -> Mont<M> {
        Mont { v: self.one, _m: PhantomData }
    }

    /// `a b` in Montgomery form.
    pub fn mul(&self, a: &Mont<M>, b: &Mont<M>) -> Mont<M> {
        let mut r = Mont::zero();
        self.mm(&mut r.v, &a.v, &b.v);
        r
    }

    /// `a^2` in Montgomery form.
    pub fn square(&self, a: &Mont<M>) -> Mont<M> {
        let mut r = Mont::zero();
        self.msq(&mut r.v, &a.v);
        r
    }

    /// `a b` where `a` is in Montgomery form and `b` plain: the plain product.
    pub fn mul_mixed(&self, a: &Mont<M>, b: &Elem<M>) -> Elem<M> {
        let mut r = Elem::zero();
        self.mm(&mut r.v, &a.v, &b.v);
        r
    }

    /// `a + b mod n`.
    pub fn add(&self, a: &Mont<M>, b: &Mont<M>) -> Mont<M> {
        let mut r = Mont::zero();
        soft::add_mod(&mut r.v, &a.v, &b.v, &self.n[..self.len]);
        r
    }

    /// `a - b mod n`.
    pub fn sub(&self, a: &Mont<M>, b: &Mont<M>) -> Mont<M> {
        let mut r = Mont::zero();
        soft::sub_mod(&mut r.v, &a.v, &b.v, &self.n[..self.len]);
        r
    }

    /// Any number of little-endian limbs reduced modulo `n`, in Montgomery
    /// form (Horner's rule over `len`-limb chunks: `acc = acc R + chunk`).
    /// Constant time; only `x.len()` is public. Used for CRT, where a value
    /// modulo `n = pq` is reduced modulo `p` and `q`.
    pub fn reduce(&self, x: &[u64]) -> Mont<M> {
        let len = self.len;
        let mut acc = Mont::zero();
        let mut chunk = [0u64; MAX_LIMBS];
        let mut t1 = [0u64; MAX_LIMBS];
        let mut t2 = [0u64; MAX_LIMBS];
        for c in (0..x.len().div_ceil(len)).rev() {
            let lo = c * len;
            let hi = (lo + len).min(x.len());
            chunk[..len].fill(0);
            chunk[..hi - lo].copy_from_slice(&x[lo..hi]);
            // Mont(acc R) = mont(Mont(acc), R^2); Mont(chunk) = mont(chunk, R^2),
            // valid because chunk < R and R^2 mod n < n.
            self.mm(&mut t1, &acc.v, &self.rr);
            self.mm(&mut t2, &chunk, &self.rr);
            soft::add_mod(&mut acc.v, &t1, &t2, &self.n[..len]);
        }
        ct::wipe_words(&mut chunk);
        ct::wipe_words(&mut t1);
        ct::wipe_words(&mut t2);
        acc
    }

    /// `base^exp mod n` for a secret exponent given as little-endian limbs,
    /// all `64 exp.len()` bits of which are processed (that count is public).
    /// Fixed windows of 5 bits; every window reads the whole table.
    pub fn pow(&self, base: &Mont<M>, exp: &[u64]) -> Mont<M> {
        // The table on the stack is sized for the modulus: the primes of
        // keys up to RSA-4096 need a quarter of the largest one, and the
        // table is zeroed and wiped on every call.
        if self.len <= MAX_LIMBS / 4 {
            self.pow_with_table::<{ TABLE * MAX_LIMBS / 4 }>(base, exp)
        } else {
            self.pow_with_table::<{ TABLE * MAX_LIMBS }>(base, exp)
        }
    }

    /// [`pow`](Self::pow) with a table of `T` words (at least `TABLE * len`).
    fn pow_with_table<const T: usize>(&self, base: &Mont<M>, exp: &[u64]) -> Mont<M> {
        // Constant time: the table is scanned in full for every window, and
        // the sequence of operations depends only on exp.len() and len.
        let len = self.len;
        let nwin = (64 * exp.len()).div_ceil(WINDOW);
        if nwin == 0 {
            return self.one();
        }
        let mut table = [0u64; T];
        table[..len].copy_from_slice(&self.one[..len]);
        table[len..2 * len].copy_from_slice(&base.v[..len]);
        for j in 2..TABLE {
            let (done, rest) = table.split_at_mut(j * len);
            self.mm(&mut rest[..len], &done[(j - 1) * len..], &base.v);
        }
        let window = |i: usize| -> u64 {
            let pos = i * WINDOW;
            let (limb, off) = (pos / 64, pos % 64);
            let mut w = exp[limb] >> off;
            if off + WINDOW > 64 && limb + 1 < exp.len() {
                w |= exp[limb + 1] << (64 - off);
            }
            w & (TABLE as u64 - 1)
        };
        let mut acc = Mont::zero();
        let mut sel = [0u64; MAX_LIMBS];
        let mut tmp = [0u64; MAX_LIMBS];
        self.engine.select(&table, len, window(nwin - 1), &mut acc.v);
        for i in (0..nwin - 1).rev() {
            for _ in 0..WINDOW {
                self.msq(&mut tmp, &acc.v);
                acc.v[..len].copy_from_slice(&tmp[..len]);
            }
            self.engine.select(&table, len, window(i), &mut sel);
            self.mm(&mut tmp, &acc.v, &sel);
            acc.v[..len].copy_from_slice(&tmp[..len]);
        }
        ct::wipe_words(&mut table[..TABLE * len]);
        ct::wipe_words(&mut sel);
        ct::wipe_words(&mut tmp);
        acc
    }

    /// `base^exp mod n` for a public exponent (big-endian bytes): time
    /// depends on the exponent's bits; the base is handled in constant time.
    pub fn pow_vartime(&self, base: &Mont<M>, exp: &[u8]) -> Mont<M> {
        let len = self.len;
        let mut acc = self.one();
        let mut tmp = [0u64; MAX_LIMBS];
        let mut started = false;
        for &byte in exp {
            for k in (0..8).rev() {
                if started {
                    self.msq(&mut tmp, &acc.v);
                    acc.v[..len].copy_from_slice(&tmp[..len]);
                }
                if (byte >> k) & 1 == 1 {
                    if started {
                        self.mm(&mut tmp, &acc.v, &base.v);
                        acc.v[..len].copy_from_slice(&tmp[..len]);
                    } else {
                        acc.v[..len].copy_from_slice(&base.v[..len]);
                    }
                    started = true;
                }
            }
        }
        ct::wipe_words(&mut tmp[..len]);
        acc
    }

    /// `x^-1 mod n`, or `None` when `gcd(x, n) != 1`. Variable time
    /// (Bernstein-Yang divsteps, 62 at a time on the low words, applied to
    /// the full numbers as a 2x2 matrix): only for values that may be
    /// public, such as a random value masked by another (see RSA blinding).
    ///
    /// The numbers are kept in signed 62-bit limbs, so that the division by
    /// 2^62 after each matrix is a shift by one limb. f and g lose a limb as
    /// soon as they fit in one fewer; d and e stay in (-2n, n) by the choice
    /// of the multiple of n that makes them divisible by 2^62 (the method of
    /// libsecp256k1's `modinv64`), and are brought into [0, n) at the end.
    pub fn inv_vartime(&self, x: &Elem<M>) -> Option<Elem<M>> {
        let len = self.len;
        // Limbs for values of magnitude below 2n, with the sign.
        let l = (64 * len + 2).div_ceil(62) + 1;
        let mut n62 = [0i64; L62];
        let mut f = [0i64; L62];
        let mut g = [0i64; L62];
        let mut d = [0i64; L62];
        let mut e = [0i64; L62];
        to_limbs62(&self.n[..len], &mut n62[..l]);
        f[..l].copy_from_slice(&n62[..l]);
        to_limbs62(&x.v[..len], &mut g[..l]);
        e[0] = 1;
        // n^-1 mod 2^62 (n0 is -n^-1 mod 2^64).
        let ninv62 = self.n0.wrapping_neg() & M62;
        let mut delta = 1i64;
        let mut lfg = l;
        // About 2.9 divsteps per bit suffice (Bernstein-Yang, Theorem 11.2).
        let max_batches = (3 * 64 * len + 200) / 62;
        for _ in 0..max_batches {
            if g[..lfg].iter().all(|&w| w == 0) {
                break;
            }
            let (nd, t) = divsteps62(delta, f[0] as u64, g[0] as u64);
            delta = nd;
            update_fg62(&mut f[..lfg], &mut g[..lfg], t);
            update_de62(&mut d[..l], &mut e[..l], t, &n62[..l], ninv62);
            // Drop the top limb of f and g when both are only a sign.
            if lfg >= 2 {
                let (fn_, gn) = (f[lfg - 1], g[lfg - 1]);
                if (fn_ == 0 || fn_ == -1) && (gn == 0 || gn == -1) {
                    f[lfg - 2] |= fn_ << 62;
                    g[lfg - 2] |= gn << 62;
                    lfg -= 1;
                }
            }
        }
        if g[..lfg].iter().any(|&w| w != 0) {
            return None;
        }
        // f = +-1 when x is invertible; then x^-1 = d f.
        let plus_one = f[0] == 1 && f[1..lfg].iter().all(|&w| w == 0);
        let minus_one = f[..lfg].iter().all(|&w| w == -1)
            || (f[lfg - 1] == -1 && f[0] == M62 as i64 && f[1..lfg - 1].iter().all(|&w| w == M62 as i64));
        if !plus_one && !minus_one {
            return None;
        }
        // d in (-2n, n): bring d f into [0, n).
        let neg = |v: &[i64]| v[l - 1] < 0;
        if neg(&d[..l]) {
            add62(&mut d[..l], &n62[..l]);
        }
        if minus_one {
            negate62(&mut d[..l]);
        }
        if neg(&d[..l]) {
            add62(&mut d[..l], &n62[..l]);
        }
        let mut out = Elem::zero();
        from_limbs62(&d[..l], &mut out.v[..len]);
        Some(out)
    }

    /// A uniformly random nonzero residue (rejection sampling on fresh
    /// random bytes).
    pub fn random_elem(&self, rng: &mut impl Rng) -> Result<Elem<M>, Error> {
        let nbytes = self.byte_len();
        let mut buf = [0u8; 8 * MAX_LIMBS];
        let top_mask = 0xffu8 >> (8 * nbytes - self.bits);
        for _ in 0..128 {
            rng.fill(&mut buf[..nbytes])?;
            buf[0] &= top_mask;
            let ok = self.elem_from_be_bytes(&buf[..nbytes]);
            ct::wipe(&mut buf[..nbytes]);
            if let Ok(e) = ok
                && soft::is_zero_mask(&e.v[..self.len]) == 0
            {
                return Ok(e);
            }
        }
        Err(Error::RandomFailed)
    }
}

/// `out = table[idx]` for a table of `TABLE` entries of `len` limbs.
fn select_from_table(table: &[u64], len: usize, idx: u64, out: &mut [u64]) {
    // Constant time: reads every entry, keeps one by mask.
    out[..len].fill(0);
    for j in 0..TABLE {
        let mask = ct::eq_mask_u64(j as u64, idx);
        for (o, &t) in out[..len].iter_mut().zip(&table[j * len..(j + 1) * len]) {
            *o |= t & mask;
        }
    }
}

/// 62 divsteps (Bernstein-Yang) on the low words of `f` (odd) and `g`:
/// the new delta and the matrix `[u, v, q, r]` with `2^62 f' = u f + v g`,
/// `2^62 g' = q f + r g`. Variable time.
fn divsteps62(mut delta: i64, f0: u64, g0: u64) -> (i64, [i64; 4]) {
    let (mut f, mut g) = (f0, g0);
    let (mut u, mut v, mut q, mut r) = (1i64, 0i64, 0i64, 1i64);
    for _ in 0..62 {
        if g & 1 == 1 {
            if delta > 0 {
                delta = 1 - delta;
                let (nf, ng) = (g, g.wrapping_sub(f) >> 1);
                (f, g) = (nf, ng);
                (u, v, q, r) = (2 * q, 2 * r, q - u, r - v);
            } else {
                delta += 1;
                g = g.wrapping_add(f) >> 1;
                (u, v, q, r) = (2 * u, 2 * v, q + u, r + v);
            }
        } else {
            delta += 1;
            g >>= 1;
            (u, v) = (2 * u, 2 * v);
        }
    }
    (delta, [u, v, q, r])
}

/// Limbs of 62 bits for values up to 8192 bits with a sign, and the mask.
const L62: usize = (64 * MAX_LIMBS + 2).div_ceil(62) + 1;
const M62: u64 = (1 << 62) - 1;

/// Little-endian 64-bit limbs to 62-bit ones (`out` long enough for them).
fn to_limbs62(src: &[u64], out: &mut [i64]) {
    for (i, o) in out.iter_mut().enumerate() {
        let (w, off) = (62 * i / 64, 62 * i % 64);
        let lo = src.get(w).copied().unwrap_or(0) >> off;
        let hi = if off > 2 { src.get(w + 1).copied().unwrap_or(0) << (64 - off) } else { 0 };
        *o = ((lo | hi) & M62) as i64;
    }
}

/// The inverse of [`to_limbs62`] for a non-negative value whose limbs below
/// the top are in [0, 2^62) and which fits `out`.
fn from_limbs62(src: &[i64], out: &mut [u64]) {
    out.fill(0);
    for (i, &v) in src.iter().enumerate() {
        let (w, off) = (62 * i / 64, 62 * i % 64);
        let v = v as u64;
        if w < out.len() {
            out[w] |= v << off;
        }
        if off > 2 && w + 1 < out.len() {
            out[w + 1] |= v >> (64 - off);
        }
    }
}

/// `(f, g) = ((u f + v g) / 2^62, (q f + r g) / 2^62)`, exact divisions, in
/// signed 62-bit limbs. Variable time only in its caller's use.
fn update_fg62(f: &mut [i64], g: &mut [i64], [u, v, q, r]: [i64; 4]) {
    let l = f.len();
    let (u, v, q, r) = (i128::from(u), i128::from(v), i128::from(q), i128::from(r));
    let (f0, g0) = (i128::from(f[0]), i128::from(g[0]));
    let mut cf = (u * f0 + v * g0) >> 62;
    let mut cg = (q * f0 + r * g0) >> 62;
    for i in 1..l {
        let (fi, gi) = (i128::from(f[i]), i128::from(g[i]));
        cf += u * fi + v * gi;
        cg += q * fi + r * gi;
        f[i - 1] = (cf as i64) & M62 as i64;
        g[i - 1] = (cg as i64) & M62 as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f[l - 1] = cf as i64;
    g[l - 1] = cg as i64;
}

/// The same matrix applied to `(d, e)` modulo n: a multiple of n chosen to
/// make each sum divisible by 2^62 is added first. With d and e in
/// (-2n, n) and |u| + |v|, |q| + |r| at most 2^62, the results stay in
/// (-2n, n): the added multiple is in (-2^62, 2^62] n, taking a negative
/// input up by one n per unit of its coefficient.
fn update_de62(d: &mut [i64], e: &mut [i64], [u, v, q, r]: [i64; 4], n: &[i64], ninv62: u64) {
    let l = d.len();
    let (sd, se) = (d[l - 1] >> 63, e[l - 1] >> 63);
    let mut md = (u & sd) + (v & se);
    let mut me = (q & sd) + (r & se);
    let (u, v, q, r) = (i128::from(u), i128::from(v), i128::from(q), i128::from(r));
    let (d0, e0) = (i128::from(d[0]), i128::from(e[0]));
    let mut cd = u * d0 + v * e0;
    let mut ce = q * d0 + r * e0;
    md -= (ninv62.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64;
    me -= (ninv62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64;
    let (md, me) = (i128::from(md), i128::from(me));
    cd += i128::from(n[0]) * md;
    ce += i128::from(n[0]) * me;
    debug_assert!(cd as u64 & M62 == 0 && ce as u64 & M62 == 0);
    cd >>= 62;
    ce >>= 62;
    for i in 1..l {
        let (di, ei, ni) = (i128::from(d[i]), i128::from(e[i]), i128::from(n[i]));
        cd += u * di + v * ei + ni * md;
        ce += q * di + r * ei + ni * me;
        d[i - 1] = (cd as i64) & M62 as i64;
        e[i - 1] = (ce as i64) & M62 as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d[l - 1] = cd as i64;
    e[l - 1] = ce as i64;
}

/// `a += b` in signed 62-bit limbs, carrying so that the limbs below the
/// top are in [0, 2^62).
fn add62(a: &mut [i64], b: &[i64]) {
    let l = a.len();
    let mut c = 0i128;
    for (i, (x, &y)) in a.iter_mut().zip(b).enumerate() {
        c += i128::from(*x) + i128::from(y);
        *x = if i + 1 == l { c as i64 } else { (c as i64) & M62 as i64 };
        c >>= 62;
    }
}

/// `a = -a` in signed 62-bit limbs, normalized as in [`add62`].
fn negate62(a: &mut [i64]) {
    let l = a.len();
    let mut c = 0i128;
    for (i, x) in a.iter_mut().enumerate() {
        c -= i128::from(*x);
        *x = if i + 1 == l { c as i64 } else { (c as i64) & M62 as i64 };
        c >>= 62;
    }
}

/// `out = 2^e mod n` for a public `n` (top limb nonzero), by schoolbook
/// long division (Knuth, TAOCP vol. 2, 4.3.1, Algorithm D) of the shifted
/// power by the shifted n, keeping only the remainder. Variable time.
fn pow2_mod_vartime(n: &[u64], e: usize, out: &mut [u64]) {
    let len = n.len();
    let s = n[len - 1].leading_zeros();
    // v = n << s, with its top bit set.
    let mut v = [0u64; MAX_LIMBS];
    for i in (0..len).rev() {
        let lo = if i > 0 && s > 0 { n[i - 1] >> (64 - s) } else { 0 };
        v[i] = (n[i] << s) | lo;
    }
    // u = 2^(e + s): words 0..=e/64 + 1 (one spare word on top).
    let top = (e + s as usize) / 64;
    let ulen = top + 2;
    let mut u = [0u64; 2 * MAX_LIMBS + 3];
    u[top] = 1 << ((e + s as usize) % 64);
    if ulen > len {
        let (vt, vs) = (u128::from(v[len - 1]), if len >= 2 { u128::from(v[len - 2]) } else { 0 });
        for j in (0..ulen - len).rev() {
            // Estimate the quotient word from the top words, then correct.
            let num = (u128::from(u[j + len]) << 64) | u128::from(u[j + len - 1]);
            let mut qhat = num / vt;
            let mut rhat = num % vt;
            let next = if len >= 2 { u128::from(u[j + len - 2]) } else { 0 };
            while qhat >> 64 != 0 || (len >= 2 && qhat * vs > ((rhat << 64) | next)) {
                qhat -= 1;
                rhat += vt;
                if rhat >> 64 != 0 {
                    break;
                }
            }
            // u[j..=j + len] -= qhat v.
            let mut borrow = 0u64;
            let mut carry = 0u128;
            for i in 0..len {
                let p = qhat * u128::from(v[i]) + carry;
                carry = p >> 64;
                let (d, b1) = u[j + i].overflowing_sub(p as u64);
                let (d, b2) = d.overflowing_sub(borrow);
                u[j + i] = d;
                borrow = u64::from(b1 | b2);
            }
            let (d, b1) = u[j + len].overflowing_sub(carry as u64);
            let (d, b2) = d.overflowing_sub(borrow);
            u[j + len] = d;
            if b1 | b2 {
                // The estimate was one too big: add v back.
                let mut c = 0u64;
                for i in 0..len {
                    (u[j + i], c) = soft::adc(u[j + i], v[i], c);
                }
                u[j + len] = u[j + len].wrapping_add(c);
            }
        }
    }
    // The remainder is u[..len] >> s.
    for i in 0..len {
        let hi = if i + 1 < len && s > 0 { u[i + 1] << (64 - s) } else { 0 };
        out[i] = if s > 0 { (u[i] >> s) | hi } else { u[i] };
    }
}

/// `a >>= 1`, shifting `top` in as the new high bit.
fn shr1(a: &mut [u64], top: u64) {
    let mut carry = top;
    for w in a.iter_mut().rev() {
        let next = *w & 1;
        *w = (*w >> 1) | (carry << 63);
        carry = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_constants_match_constant_time_ones() {
        let mut st = 0x0123_4567_89ab_cdefu64;
        let mut next = || {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            st
        };
        for bytes in [8usize, 9, 16, 17, 64, 128, 129, 256, 383, 384, 512] {
            for round in 0..4 {
                let mut b: Vec<u8> = (0..bytes).map(|_| next() as u8).collect();
                let last = b.len() - 1;
                b[last] |= 1;
                b[0] = match round {
                    0 => 0x80,
                    1 => 0x01,
                    2 => 0xff,
                    _ => b[0] | 1,
                };
                let ct = Modulus::<T>::with_backend(&b, Backend::Portable).unwrap();
                let vt = Modulus::<T>::public_with_backend_vartime(&b, Backend::Portable).unwrap();
                let len = ct.len;
                assert_eq!(ct.rr[..len], vt.rr[..len], "R^2, {bytes} bytes, round {round}");
                assert_eq!(ct.one[..len], vt.one[..len], "R, {bytes} bytes, round {round}");
            }
        }
        // All-ones moduli: every quotient estimate is at its edge.
        for len in [1usize, 2, 16] {
            let b = vec![0xffu8; 8 * len];
            let ct = Modulus::<T>::with_backend(&b, Backend::Portable).unwrap();
            let vt = Modulus::<T>::public_with_backend_vartime(&b, Backend::Portable).unwrap();
            assert_eq!(ct.rr[..len], vt.rr[..len]);
            assert_eq!(ct.one[..len], vt.one[..len]);
        }
    }

    struct T;

    fn modulus(v: u128) -> Modulus<T> {
        Modulus::with_backend(&v.to_be_bytes(), Backend::Portable).unwrap()
    }

    fn elem(m: &Modulus<T>, v: u128) -> Elem<T> {
        m.elem_from_be_bytes(&v.to_be_bytes()).unwrap()
    }

    fn value(m: &Modulus<T>, e: &Elem<T>) -> u128 {
        let mut b = [0u8; 16];
        limbs_to_be(m.elem_limbs(e), &mut b);
        u128::from_be_bytes(b)
    }

    fn mulmod(a: u128, b: u128, n: u128) -> u128 {
        // Double-and-add; n < 2^126 here, so nothing overflows.
        let (mut acc, mut a, mut b) = (0u128, a % n, b);
        while b > 0 {
            if b & 1 == 1 {
                acc = (acc + a) % n;
            }
            a = (a + a) % n;
            b >>= 1;
        }
        acc
    }

    #[test]
    fn small_values_against_u128() {
        let n = 0x0000_0000_0000_0001_ffff_ffff_ffff_ff61u128; // 65 bits, two limbs
        let m = modulus(n);
        assert_eq!(m.limbs(), 2);
        assert_eq!(m.bits(), 65);
        let a = 0x1_2345_6789_abcd_ef01u128 % n;
        let b = 0x0_fedc_ba98_7654_3210u128 % n;
        let (ea, eb) = (elem(&m, a), elem(&m, b));
        let prod = m.from_mont(&m.mul(&m.to_mont(&ea), &m.to_mont(&eb)));
        assert_eq!(value(&m, &prod), mulmod(a, b, n));
        let sum = m.from_mont(&m.add(&m.to_mont(&ea), &m.to_mont(&eb)));
        assert_eq!(value(&m, &sum), (a + b) % n);
        let diff = m.from_mont(&m.sub(&m.to_mont(&eb), &m.to_mont(&ea)));
        assert_eq!(value(&m, &diff), (b + n - a) % n);
        let inv = m.inv_vartime(&ea).unwrap();
        assert_eq!(mulmod(value(&m, &inv), a, n), 1);
        assert!(m.elem_from_be_bytes(&n.to_be_bytes()).is_err());
        assert!(Modulus::<T>::from_be_bytes(&[0, 0]).is_err());
        assert!(Modulus::<T>::from_be_bytes(&[1]).is_err());
        assert!(Modulus::<T>::from_be_bytes(&[4]).is_err());
    }
}
