//! RSA (RFC 8017): public and private keys, RSASSA-PKCS1-v1_5 and RSASSA-PSS
//! signatures, RSAES-OAEP and RSAES-PKCS1-v1_5 encryption.
//!
//! The private operation uses the Chinese remainder theorem with constant-time
//! Montgomery exponentiation (`crate::bigint`), blinds its input with a fresh
//! random value every time, and checks its result against the public key
//! before anything leaves (a fault would otherwise leak a factor of n).

mod encoding;
mod keygen;
mod oaep;
mod pkcs1v15;
mod pss;

use crate::Error;
use crate::bigint::{self, Elem, Modulus};
use crate::cpu::Backend;
use crate::ct;
use crate::hmac::Hmac;
use crate::rand::{OsRng, Rng};
use crate::sha1::Sha1;
use crate::sha2::{Sha224, Sha256, Sha384, Sha512};

/// Marker for residues modulo the public modulus n.
pub(crate) struct N;
/// Marker for residues modulo the first prime p.
pub(crate) struct P;
/// Marker for residues modulo the second prime q.
pub(crate) struct Q;

/// The smallest modulus accepted, in bits.
pub const MIN_BITS: usize = 1024;
/// The largest modulus accepted for private keys, in bits.
pub const MAX_PRIVATE_BITS: usize = 4096;
/// The largest modulus accepted for public keys (verification), in bits.
pub const MAX_PUBLIC_BITS: usize = 8192;

/// The hash functions RSA signatures and OAEP are used with. SHA-1 is for
/// verifying old signatures and running published vectors only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-1 (legacy: verification and vectors).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// A digest of up to 64 bytes.
pub(crate) struct Digest {
    bytes: [u8; 64],
    len: usize,
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl HashAlg {
    /// Bytes of digest.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlg::Sha1 => 20,
            HashAlg::Sha224 => 28,
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    /// The digest of the concatenation of `parts`.
    pub(crate) fn digest_parts(self, parts: &[&[u8]]) -> Digest {
        let mut d = Digest { bytes: [0; 64], len: self.output_len() };
        macro_rules! run {
            ($h:ty) => {{
                let mut h = <$h>::new();
                for p in parts {
                    h.update(p);
                }
                d.bytes[..d.len].copy_from_slice(&h.finalize());
            }};
        }
        match self {
            HashAlg::Sha1 => run!(Sha1),
            HashAlg::Sha224 => run!(Sha224),
            HashAlg::Sha256 => run!(Sha256),
            HashAlg::Sha384 => run!(Sha384),
            HashAlg::Sha512 => run!(Sha512),
        }
        d
    }

    /// The digest of `msg`.
    pub(crate) fn digest(self, msg: &[u8]) -> Digest {
        self.digest_parts(&[msg])
    }
}

/// An RSA public key: the modulus n and the public exponent e.
#[derive(Clone)]
pub struct RsaPublicKey {
    n: Modulus<N>,
    /// Big-endian, no leading zeros, at most 8 bytes.
    e: Vec<u8>,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPublicKey({} bits, e = 0x", self.n.bits())?;
        for b in &self.e {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl RsaPublicKey {
    /// A public key from big-endian n and e (leading zeros allowed), on the
    /// preferred big-integer backend. n must be odd and of 1024 to 8192 bits;
    /// e odd, at least 3, below n and at most 64 bits.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let n = Modulus::public_vartime(n).map_err(|_| Error::BadEncoding { field: "modulus" })?;
        Self::build(n, e, MAX_PUBLIC_BITS)
    }

    /// As [`from_components`](Self::from_components) on a chosen backend.
    pub fn from_components_with_backend(n: &[u8], e: &[u8], backend: Backend) -> Result<Self, Error> {
        let n = Modulus::public_with_backend_vartime(n, backend).map_err(|err| match err {
            Error::BackendUnavailable(b) => Error::BackendUnavailable(b),
            _ => Error::BadEncoding { field: "modulus" },
        })?;
        Self::build(n, e, MAX_PUBLIC_BITS)
    }

    fn build(n: Modulus<N>, e: &[u8], max_bits: usize) -> Result<Self, Error> {
        if n.bits() < MIN_BITS || n.bits() > max_bits {
            return Err(Error::Unsupported { what: "RSA modulus size" });
        }
        let start = e.iter().position(|&b| b != 0).unwrap_or(e.len());
        let e = &e[start..];
        if e.len() > 8 {
            return Err(Error::Unsupported { what: "RSA public exponent above 2^64" });
        }
        let mut ev = [0u8; 8];
        ev[8 - e.len()..].copy_from_slice(e);
        let ev = u64::from_be_bytes(ev);
        if ev < 3 || ev & 1 == 0 {
            return Err(Error::BadEncoding { field: "publicExponent" });
        }
        // n has at least 1024 bits, so any e of at most 64 bits is below it.
        Ok(RsaPublicKey { n, e: e.to_vec() })
    }

    /// The same key computing on `backend`.
    pub fn with_backend(&self, backend: Backend) -> Result<Self, Error> {
        Ok(RsaPublicKey { n: self.n.rebind(backend)?, e: self.e.clone() })
    }

    /// The modulus size in bytes (the length of signatures and ciphertexts).
    pub fn size(&self) -> usize {
        self.n.byte_len()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.n.bits()
    }

    /// The modulus, big-endian, [`size`](Self::size) bytes.
    pub fn modulus(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.size()];
        self.n.write_be_bytes(&mut out);
        out
    }

    /// The public exponent, big-endian without leading zeros.
    pub fn exponent(&self) -> &[u8] {
        &self.e
    }

    /// The big-integer backend this key computes with.
    pub fn backend(&self) -> Backend {
        self.n.backend()
    }

    /// RSAVP1/RSAEP: `x^e mod n` for an input of exactly `size()` bytes below n.
    fn public_op(&self, x: &[u8]) -> Result<Elem<N>, Error> {
        if x.len() != self.size() {
            return Err(Error::BadLength { what: "RSA input must be as long as the modulus" });
        }
        let x = self.n.elem_from_be_bytes(x)?;
        Ok(self.n.from_mont(&self.n.pow_vartime(&self.n.to_mont(&x), &self.e)))
    }

    /// `m` as `size()` big-endian bytes.
    fn to_bytes(&self, m: &Elem<N>) -> Vec<u8> {
        let mut out = vec![0u8; self.size()];
        bigint::limbs_to_be(self.n.elem_limbs(m), &mut out);
        out
    }

    /// Encrypts with RSAES-OAEP (RFC 8017 §7.1.1), MGF1 over the same hash.
    pub fn encrypt_oaep(
        &self,
        alg: HashAlg,
        label: &[u8],
        msg: &[u8],
        rng: &mut impl Rng,
    ) -> Result<Vec<u8>, Error> {
        let em = oaep::encode(alg, label, msg, self.size(), rng)?;
        Ok(self.to_bytes(&self.public_op(&em)?))
    }

    /// Encrypts with RSAES-PKCS1-v1_5 (RFC 8017 §7.2.1). Prefer OAEP; this
    /// exists for interoperability.
    pub fn encrypt_pkcs1v15(&self, msg: &[u8], rng: &mut impl Rng) -> Result<Vec<u8>, Error> {
        let em = pkcs1v15::encode_encryption(msg, self.size(), rng)?;
        Ok(self.to_bytes(&self.public_op(&em)?))
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2) by
    /// re-encoding the expected message and comparing.
    pub fn verify_pkcs1v15(&self, alg: HashAlg, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        let m = self.public_op(sig).map_err(|_| Error::AuthenticationFailed)?;
        let em = self.to_bytes(&m);
        let expect = pkcs1v15::encode_signature(alg, msg, self.size())?;
        if ct::bytes_eq(&em, &expect) { Ok(()) } else { Err(Error::AuthenticationFailed) }
    }

    /// Verifies an RSASSA-PSS signature (RFC 8017 §8.1.2) with MGF1 over the
    /// same hash, accepting any salt length.
    pub fn verify_pss(&self, alg: HashAlg, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        self.verify_pss_inner(alg, msg, sig, None)
    }

    /// Verifies an RSASSA-PSS signature requiring a salt of `salt_len` bytes
    /// (TLS 1.3 requires the hash length).
    pub fn verify_pss_with_salt_len(
        &self,
        alg: HashAlg,
        msg: &[u8],
        sig: &[u8],
        salt_len: usize,
    ) -> Result<(), Error> {
        self.verify_pss_inner(alg, msg, sig, Some(salt_len))
    }

    fn verify_pss_inner(
        &self,
        alg: HashAlg,
        msg: &[u8],
        sig: &[u8],
        salt_len: Option<usize>,
    ) -> Result<(), Error> {
        let m = self.public_op(sig).map_err(|_| Error::AuthenticationFailed)?;
        let em = self.to_bytes(&m);
        let em_bits = self.bits() - 1;
        let em_len = em_bits.div_ceil(8);
        // When em_len < size(), the leading byte of the integer must be zero.
        let (high, em) = em.split_at(em.len() - em_len);
        if high.iter().any(|&b| b != 0) {
            return Err(Error::AuthenticationFailed);
        }
        pss::verify(alg, msg, em, em_bits, salt_len)
    }
}

/// An RSA private key with its CRT values. Secret parts are wiped on drop.
pub struct RsaPrivateKey {
    public: RsaPublicKey,
    p: Modulus<P>,
    q: Modulus<Q>,
    /// d mod (p - 1), `p.limbs()` limbs.
    dp: Vec<u64>,
    /// d mod (q - 1), `q.limbs()` limbs.
    dq: Vec<u64>,
    /// q^-1 mod p.
    qinv: Elem<P>,
    /// SHA-256 of d (k bytes): the key of PKCS#1 v1.5 implicit rejection.
    ir_key: [u8; 32],
    /// The private exponent d, `n.limbs()` limbs, kept for export only.
    d: Vec<u64>,
}

impl Drop for RsaPrivateKey {
    fn drop(&mut self) {
        ct::wipe_words(&mut self.dp);
        ct::wipe_words(&mut self.dq);
        ct::wipe(&mut self.ir_key);
        ct::wipe_words(&mut self.d);
    }
}

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RsaPrivateKey({} bits, ..)", self.public.bits())
    }
}

/// The big-endian components of an RSA private key, as in PKCS#1's
/// `RSAPrivateKey` (RFC 8017 §A.1.2).
#[derive(Clone, Copy, Debug)]
pub struct PrivateComponents<'a> {
    /// modulus n.
    pub n: &'a [u8],
    /// publicExponent e.
    pub e: &'a [u8],
    /// privateExponent d (checked for size only; the CRT values are used).
    pub d: &'a [u8],
    /// prime1 p.
    pub p: &'a [u8],
    /// prime2 q.
    pub q: &'a [u8],
    /// exponent1, d mod (p - 1).
    pub dp: &'a [u8],
    /// exponent2, d mod (q - 1).
    pub dq: &'a [u8],
    /// coefficient, q^-1 mod p.
    pub qinv: &'a [u8],
}

impl RsaPrivateKey {
    /// A private key from its components, on the preferred backend. Checks
    /// that n = p q, that e is valid, and that dp, dq and qinv agree with
    /// p, q and e; each failure names the field.
    pub fn from_components(c: &PrivateComponents<'_>) -> Result<Self, Error> {
        let public = RsaPublicKey::from_components(c.n, c.e)?;
        Self::build(public, c)
    }

    /// As [`from_components`](Self::from_components) on a chosen backend.
    pub fn from_components_with_backend(c: &PrivateComponents<'_>, backend: Backend) -> Result<Self, Error> {
        let public = RsaPublicKey::from_components_with_backend(c.n, c.e, backend)?;
        Self::build(public, c)
    }

    fn build(public: RsaPublicKey, c: &PrivateComponents<'_>) -> Result<Self, Error> {
        if public.bits() > MAX_PRIVATE_BITS {
            return Err(Error::Unsupported { what: "RSA private key above 4096 bits" });
        }
        let n = &public.n;
        let p = Modulus::<P>::with_backend_of(c.p, n).map_err(|_| Error::BadEncoding { field: "prime1" })?;
        let q = Modulus::<Q>::with_backend_of(c.q, n).map_err(|_| Error::BadEncoding { field: "prime2" })?;
        // Primes of about half the size of n, as every key generator makes
        // them (FIPS 186-5 asks for exactly half): a small factor makes n
        // easy to factor, and the blinding below fails often modulo a tiny
        // prime (one time in 3^8 for 3). The sizes are those of the encoding.
        let half = public.bits() / 2;
        if p.bits() + 32 < half || q.bits() + 32 < half {
            return Err(Error::Unsupported { what: "RSA primes far from half the modulus size" });
        }
        // n = p q.
        let (lp, lq, ln) = (p.limbs(), q.limbs(), n.limbs());
        if lp + lq < ln || lp + lq > ln + 1 {
            return Err(Error::BadEncoding { field: "modulus is not prime1 * prime2" });
        }
        let mut prod = vec![0u64; lp + lq];
        bigint::mul_limbs(&mut prod, p.as_limbs(), q.as_limbs());
        let mut nn = vec![0u64; lp + lq];
        nn[..ln].copy_from_slice(n.as_limbs());
        let same = ct::bytes_eq(&limbs_bytes(&prod), &limbs_bytes(&nn));
        ct::wipe_words(&mut prod);
        if !same {
            return Err(Error::BadEncoding { field: "modulus is not prime1 * prime2" });
        }
        // d: only its size is checked (d < n); the CRT values do the work,
        // and d keys the implicit rejection of PKCS#1 v1.5 decryption.
        let d = n.elem_from_be_bytes(c.d).map_err(|_| Error::BadEncoding { field: "privateExponent" })?;
        let mut d_bytes = vec![0u8; public.size()];
        bigint::limbs_to_be(n.elem_limbs(&d), &mut d_bytes);
        let ir_key = Sha256::digest(&d_bytes);
        ct::wipe(&mut d_bytes);
        let d = n.elem_limbs(&d).to_vec();
        let mut dp = vec![0u64; lp];
        let mut dq = vec![0u64; lq];
        bigint::be_bytes_to_limbs(c.dp, &mut dp).map_err(|_| Error::BadEncoding { field: "exponent1" })?;
        bigint::be_bytes_to_limbs(c.dq, &mut dq).map_err(|_| Error::BadEncoding { field: "exponent2" })?;
        p.elem_from_limbs(&dp).map_err(|_| Error::BadEncoding { field: "exponent1" })?;
        q.elem_from_limbs(&dq).map_err(|_| Error::BadEncoding { field: "exponent2" })?;
        let qinv = p.elem_from_be_bytes(c.qinv).map_err(|_| Error::BadEncoding { field: "coefficient" })?;
        let key = RsaPrivateKey { public, p, q, dp, dq, qinv, ir_key, d };
        key.check_crt()?;
        key.check_d()?;
        Ok(key)
    }

    /// d mod (p - 1) = dp and d mod (q - 1) = dq: d is not used by the
    /// private operation, but it keys implicit rejection and is exported,
    /// so a d that disagrees with the CRT exponents is refused.
    fn check_d(&self) -> Result<(), Error> {
        // Constant time: remainders by binary long division, equality by mask.
        let mut ok = u64::MAX;
        for (m, exp) in [(self.p.as_limbs(), &self.dp), (self.q.as_limbs(), &self.dq)] {
            let mut m1 = m.to_vec();
            m1[0] &= !1; // the prime is odd: m - 1
            let mut r = vec![0u64; m1.len()];
            rem_limbs_ct(&self.d, &m1, &mut r);
            ok &= ct::eq_mask_u64(r.iter().zip(exp.iter()).fold(0, |acc, (a, b)| acc | (a ^ b)), 0);
            ct::wipe_words(&mut m1);
            ct::wipe_words(&mut r);
        }
        if ok == 0 {
            return Err(Error::BadEncoding { field: "privateExponent" });
        }
        Ok(())
    }

    /// qinv q = 1 mod p, and x^(e dp) = x mod p, x^(e dq) = x mod q for x = 2
    /// (so e dp = 1 modulo the order of 2, which a wrong dp fails).
    fn check_crt(&self) -> Result<(), Error> {
        let (p, q) = (&self.p, &self.q);
        let qm = p.reduce(q.as_limbs());
        let one = p.from_mont(&p.mul(&qm, &p.to_mont(&self.qinv)));
        if !p.elem_eq(&one, &p.elem_from_be_bytes(&[1])?) {
            return Err(Error::BadEncoding { field: "coefficient" });
        }
        let two = [2u8];
        let x = p.elem_from_be_bytes(&two)?;
        let y = p.pow_vartime(&p.pow(&p.to_mont(&x), &self.dp), &self.public.e);
        if !p.elem_eq(&p.from_mont(&y), &x) {
            return Err(Error::BadEncoding { field: "exponent1" });
        }
        let x = q.elem_from_be_bytes(&two)?;
        let y = q.pow_vartime(&q.pow(&q.to_mont(&x), &self.dq), &self.public.e);
        if !q.elem_eq(&q.from_mont(&y), &x) {
            return Err(Error::BadEncoding { field: "exponent2" });
        }
        Ok(())
    }

    /// The same key computing on `backend`.
    pub fn with_backend(&self, backend: Backend) -> Result<Self, Error> {
        Ok(RsaPrivateKey {
            public: self.public.with_backend(backend)?,
            p: self.p.rebind(backend)?,
            q: self.q.rebind(backend)?,
            dp: self.dp.clone(),
            dq: self.dq.clone(),
            qinv: self.qinv.clone(),
            ir_key: self.ir_key,
            d: self.d.clone(),
        })
    }

    /// The big-integer backend this key computes with.
    pub fn backend(&self) -> Backend {
        self.public.backend()
    }

    /// The matching public key.
    pub fn public_key(&self) -> RsaPublicKey {
        self.public.clone()
    }

    /// The modulus size in bytes.
    pub fn size(&self) -> usize {
        self.public.size()
    }

    /// RSADP/RSASP1 (RFC 8017 §5.1.2): `c^d mod n` by CRT, with base
    /// blinding by a fresh random r and a check of the result with e.
    fn private_op(&self, c: &Elem<N>, rng: &mut impl Rng) -> Result<Elem<N>, Error> {
        // Constant time in c and the key: every step below is constant time,
        // except the inversion, whose input r b is independent of them.
        let (n, p, q) = (&self.public.n, &self.p, &self.q);
        let e = &self.public.e;
        // Blinding: c r^e for a fresh random r, and r^-1 mod p and mod q to
        // take r out of each half of the CRT (1024-bit inversions for
        // RSA-2048 instead of one 2048-bit one). Each r^-1 comes from
        // inverting r b for another random b (variable time is harmless on a
        // uniformly random value unrelated to r), then multiplying by b.
        // Only c r^e mod p and mod q are needed, so r^e is computed in each
        // half too (two half-size exponentiations cost half of one of n).
        let mut found = None;
        for _ in 0..8 {
            let r = n.random_elem(rng)?;
            // r mod p and r mod q, in Montgomery form.
            let (rp, rq) = (p.reduce(n.elem_limbs(&r)), q.reduce(n.elem_limbs(&r)));
            let (bp, bq) = (p.random_elem(rng)?, q.random_elem(rng)?);
            let rbp = p.mul_mixed(&rp, &bp);
            let rbq = q.mul_mixed(&rq, &bq);
            if let (Some(ip), Some(iq)) = (p.inv_vartime(&rbp), q.inv_vartime(&rbq)) {
                // r^-1 mod p in Montgomery form, and mod q in plain form.
                let rinv_p = p.to_mont(&p.mul_mixed(&p.to_mont(&ip), &bp));
                let rinv_q = q.mul_mixed(&q.to_mont(&iq), &bq);
                found = Some((rp, rq, rinv_p, rinv_q));
                break;
            }
        }
        let (rp, rq, rinv_p, rinv_q) = found.ok_or(Error::RandomFailed)?;
        // c r^e mod p and mod q, in Montgomery form.
        let cp = p.mul(&p.reduce(n.elem_limbs(c)), &p.pow_vartime(&rp, e));
        let cq = q.mul(&q.reduce(n.elem_limbs(c)), &q.pow_vartime(&rq, e));
        // CRT: m1 = c^dp mod p, m2 = c^dq mod q (each unblinded by r^-1),
        // h = qinv (m1 - m2) mod p, m = m2 + h q (Garner), which is below n
        // without reduction.
        let m1 = p.mul(&p.pow(&cp, &self.dp), &rinv_p);
        let m2 = q.mul_mixed(&q.pow(&cq, &self.dq), &rinv_q);
        let m2p = p.reduce(q.elem_limbs(&m2));
        let h = p.mul_mixed(&p.sub(&m1, &m2p), &self.qinv);
        let (lp, lq) = (p.limbs(), q.limbs());
        let mut t = [0u64; bigint::MAX_LIMBS + 1];
        bigint::mul_limbs(&mut t[..lp + lq], p.elem_limbs(&h), q.as_limbs());
        bigint::add_limbs(&mut t[..lp + lq], q.elem_limbs(&m2));
        let m = n.elem_from_limbs(&t[..lp + lq]);
        ct::wipe_words(&mut t);
        let m = m?;
        // The check: m^e must give c back.
        let back = n.from_mont(&n.pow_vartime(&n.to_mont(&m), e));
        if !n.elem_eq(&back, c) {
            return Err(Error::FaultDetected);
        }
        Ok(m)
    }

    /// Signs with RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1), blinding with the OS
    /// generator. SHA-1 is refused.
    pub fn sign_pkcs1v15(&self, alg: HashAlg, msg: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_pkcs1v15_with_rng(alg, msg, &mut OsRng)
    }

    /// As [`sign_pkcs1v15`](Self::sign_pkcs1v15) with blinding values from `rng`.
    pub fn sign_pkcs1v15_with_rng(
        &self,
        alg: HashAlg,
        msg: &[u8],
        rng: &mut impl Rng,
    ) -> Result<Vec<u8>, Error> {
        if alg == HashAlg::Sha1 {
            return Err(Error::Unsupported { what: "signing with SHA-1" });
        }
        self.sign_pkcs1v15_any(alg, msg, rng)
    }

    /// PKCS#1 v1.5 signing with any hash, SHA-1 included: only to reproduce
    /// published vectors.
    #[doc(hidden)]
    pub fn sign_pkcs1v15_legacy(
        &self,
        alg: HashAlg,
        msg: &[u8],
        rng: &mut impl Rng,
    ) -> Result<Vec<u8>, Error> {
        self.sign_pkcs1v15_any(alg, msg, rng)
    }

    fn sign_pkcs1v15_any(&self, alg: HashAlg, msg: &[u8], rng: &mut impl Rng) -> Result<Vec<u8>, Error> {
        let em = pkcs1v15::encode_signature(alg, msg, self.size())?;
        let m = self.public.n.elem_from_be_bytes(&em)?;
        let s = self.private_op(&m, rng)?;
        Ok(self.public.to_bytes(&s))
    }

    /// Signs with RSASSA-PSS (RFC 8017 §8.1.1), MGF1 over the same hash and
    /// a random salt as long as the hash. SHA-1 is refused.
    pub fn sign_pss(&self, alg: HashAlg, msg: &[u8], rng: &mut impl Rng) -> Result<Vec<u8>, Error> {
        if alg == HashAlg::Sha1 {
            return Err(Error::Unsupported { what: "signing with SHA-1" });
        }
        let mut salt = [0u8; 64];
        let salt = &mut salt[..alg.output_len()];
        rng.fill(salt)?;
        self.sign_pss_with_salt(alg, msg, salt, rng)
    }

    /// RSASSA-PSS with an explicit salt (any length that fits; any hash):
    /// for reproducing published vectors. Blinding values come from `rng`.
    pub fn sign_pss_with_salt(
        &self,
        alg: HashAlg,
        msg: &[u8],
        salt: &[u8],
        rng: &mut impl Rng,
    ) -> Result<Vec<u8>, Error> {
        let em_bits = self.public.bits() - 1;
        let em_len = em_bits.div_ceil(8);
        let mut em = vec![0u8; self.size()];
        let off = em.len() - em_len;
        pss::encode(alg, msg, salt, em_bits, &mut em[off..])?;
        let m = self.public.n.elem_from_be_bytes(&em)?;
        let s = self.private_op(&m, rng)?;
        Ok(self.public.to_bytes(&s))
    }
}

impl RsaPrivateKey {
    /// The private operation on a ciphertext of exactly `size()` bytes, as
    /// `size()` bytes (to be wiped by the caller).
    fn decrypt_raw(&self, ct: &[u8], rng: &mut impl Rng) -> Result<Vec<u8>, Error> {
        if ct.len() != self.size() {
            return Err(Error::BadLength { what: "RSA ciphertext must be as long as the modulus" });
        }
        let c = self.public.n.elem_from_be_bytes(ct)?;
        let m = self.private_op(&c, rng)?;
        Ok(self.public.to_bytes(&m))
    }

    /// Decrypts RSAES-OAEP (RFC 8017 §7.1.2), blinding with the OS generator.
    /// Every padding failure gives the same error, decided in constant time.
    pub fn decrypt_oaep(&self, alg: HashAlg, label: &[u8], ct: &[u8]) -> Result<Vec<u8>, Error> {
        self.decrypt_oaep_with_rng(alg, label, ct, &mut OsRng)
    }

    /// As [`decrypt_oaep`](Self::decrypt_oaep) with blinding values from `rng`.
    pub fn decrypt_oaep_with_rng(
        &self,
        alg: HashAlg,
        label: &[u8],
        ct: &[u8],
        rng: &mut impl Rng,
    ) -> Result<Vec<u8>, Error> {
        let mut em = self.decrypt_raw(ct, rng)?;
        let res = oaep::decode(alg, label, &mut em).map(|off| em[off..].to_vec());
        ct::wipe(&mut em);
        res
    }

    /// Decrypts RSAES-PKCS1-v1_5 (RFC 8017 §7.2.2) with implicit rejection:
    /// a ciphertext whose padding is wrong decrypts to a pseudo-random
    /// message derived from the key and the ciphertext, in constant time, so
    /// a caller cannot tell (Bleichenbacher's attack). Errors only for a
    /// ciphertext of the wrong length or not below n (both public).
    pub fn decrypt_pkcs1v15(&self, ct: &[u8]) -> Result<Vec<u8>, Error> {
        self.decrypt_pkcs1v15_with_rng(ct, &mut OsRng)
    }

    /// As [`decrypt_pkcs1v15`](Self::decrypt_pkcs1v15) with blinding values from `rng`.
    pub fn decrypt_pkcs1v15_with_rng(&self, ct: &[u8], rng: &mut impl Rng) -> Result<Vec<u8>, Error> {
        let mut em = self.decrypt_raw(ct, rng)?;
        let k = em.len();
        let mut syn = vec![0u8; k];
        let syn_len = self.synthetic_message(ct, &mut syn);
        let len = pkcs1v15::decode_encryption_implicit(&em, &mut syn, syn_len);
        let out = syn[k - len..].to_vec();
        ct::wipe(&mut em);
        ct::wipe(&mut syn);
        Ok(out)
    }

    /// The synthetic message of implicit rejection for `ct` (k bytes), as
    /// draft-irtf-cfrg-rsa-guidance-10 §7.2 step 3 derives it: fills `out`
    /// (k bytes) with AM = IRPRF(KDK, "message", k) and returns AL, at most
    /// k - 11, of which the message is the last AL bytes of AM. KDK =
    /// HMAC-SHA256(SHA-256(I2OSP(d, k)), C); IRPRF (§7.1) concatenates
    /// HMAC-SHA256(KDK, I2OSP(i, 2) || label || I2OSP(8 * length, 2)).
    fn synthetic_message(&self, ct: &[u8], out: &mut [u8]) -> usize {
        // Constant time: each of the 128 candidate lengths is masked and
        // compared, and the choice is made by mask; only k (public) branches.
        let mut kdk = Hmac::<Sha256>::mac(&self.ir_key, ct);
        let prf = |label: &[u8], out: &mut [u8]| {
            let bits = ((out.len() * 8) as u16).to_be_bytes();
            for (i, chunk) in out.chunks_mut(32).enumerate() {
                let mut h = Hmac::<Sha256>::new(&kdk);
                h.update(&(i as u16).to_be_bytes());
                h.update(label);
                h.update(&bits);
                chunk.copy_from_slice(&h.finalize()[..chunk.len()]);
            }
        };
        prf(b"message", out);
        let mut lengths = [0u8; 256];
        prf(b"length", &mut lengths);
        // Step 3.3: each two-byte candidate keeps as many low bits as
        // k - 10 (the largest offset of the separator) has, and AL is the
        // last candidate below k - 10, or 0 if there is none. (The bit
        // length of k - 10, as the draft's author's implementation in
        // tlslite-ng and OpenSSL's take it: it differs from that of k - 11
        // when k - 10 is a power of two.)
        let max_sep = (out.len() - 10) as u64;
        let mask = (1u64 << (u64::BITS - max_sep.leading_zeros())) - 1;
        let mut len = 0u64;
        for pair in lengths.chunks_exact(2) {
            let cand = u64::from(u16::from_be_bytes([pair[0], pair[1]])) & mask;
            len = ct::select_u64(ct::lt_mask_u64(cand, max_sep), cand, len);
        }
        ct::wipe(&mut lengths);
        ct::wipe(&mut kdk);
        len as usize
    }
}

/// `out = x mod m` on little-endian limbs, for `m >= 2` (`out` has `m.len()`
/// limbs). Binary long division over every bit of `x`: each step doubles
/// the remainder, adds the bit and subtracts `m` when that does not borrow.
fn rem_limbs_ct(x: &[u64], m: &[u64], out: &mut [u64]) {
    // Constant time: the work depends only on the lengths; the subtraction
    // is kept or dropped by mask.
    let len = m.len();
    let mut mm = m.to_vec();
    mm.push(0);
    let mut r = vec![0u64; len + 1];
    let mut t = vec![0u64; len + 1];
    for i in (0..64 * x.len()).rev() {
        // r = 2 r + bit i of x, and t = r - m, in one pass.
        let mut carry = (x[i / 64] >> (i % 64)) & 1;
        let mut borrow = 0u64;
        for ((rj, tj), &mj) in r.iter_mut().zip(t.iter_mut()).zip(&mm) {
            let s = (*rj << 1) | carry;
            carry = *rj >> 63;
            *rj = s;
            let (d1, b1) = s.overflowing_sub(mj);
            let (d2, b2) = d1.overflowing_sub(borrow);
            *tj = d2;
            borrow = u64::from(b1 | b2);
        }
        // r < m exactly when the subtraction borrowed: keep r then.
        let keep = core::hint::black_box(borrow.wrapping_neg());
        for (rj, &tj) in r.iter_mut().zip(&t) {
            *rj = tj ^ (keep & (*rj ^ tj));
        }
    }
    out[..len].copy_from_slice(&r[..len]);
    ct::wipe_words(&mut mm);
    ct::wipe_words(&mut r);
    ct::wipe_words(&mut t);
}

/// Limbs as bytes, for constant-time comparison.
fn limbs_bytes(l: &[u64]) -> Vec<u8> {
    l.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rem_limbs_ct_matches_u128() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut cases: Vec<(u128, u128)> =
            vec![(0, 2), (1, 2), (5, 2), (u128::MAX, 2), (u128::MAX, u128::MAX), (7, 7)];
        for _ in 0..2000 {
            let x = (u128::from(next()) << 64) | u128::from(next());
            let m = match next() % 3 {
                0 => u128::from(next() | 2),
                1 => (u128::from(next() | 1) << 64) | u128::from(next()),
                _ => u128::from(next() >> (next() % 62)) | 2,
            };
            cases.push((x, m));
        }
        for (x, m) in cases {
            let xl = [x as u64, (x >> 64) as u64];
            let ml: Vec<u64> = if m >> 64 == 0 { vec![m as u64] } else { vec![m as u64, (m >> 64) as u64] };
            let mut out = vec![0u64; ml.len()];
            rem_limbs_ct(&xl, &ml, &mut out);
            let got = u128::from(out[0]) | out.get(1).map_or(0, |&h| u128::from(h) << 64);
            assert_eq!(got, x % m, "{x:#x} mod {m:#x}");
        }
    }
}
