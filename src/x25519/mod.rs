//! X25519 key agreement (RFC 7748).
//!
//! Two field backends: portable five 51-bit limbs (`soft.rs`) and, on x86_64
//! with BMI2 and ADX, four 64-bit limbs multiplied with MULX/ADCX/ADOX
//! (`x86_64.rs`). The curve code (`curve.rs`) is generic over them: the
//! Montgomery ladder for any u-coordinate, and a table-driven Edwards
//! fixed-base multiplication for public keys; one inversion at the end of
//! each, by the fixed exponentiation chain z^(p - 2) (`soft::invert`, and
//! `x86_64/chain.rs` with the value kept in registers). Everything that
//! touches the scalar runs in constant time: no secret-dependent branch or
//! index.

mod curve;
mod field;
mod soft;
#[cfg(target_arch = "x86_64")]
mod x86_64;

use core::fmt;

use crate::Error;
use crate::cpu::{self, Backend, Primitive};
use crate::ct;
use crate::rand::Rng;

/// The u-coordinate of the base point, 9 (RFC 7748 §4.1).
pub const BASEPOINT: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 9;
    b
};

/// The field backend an operation runs on.
#[derive(Clone, Copy)]
enum Engine {
    Portable,
    #[cfg(target_arch = "x86_64")]
    MulxAdx(x86_64::MulxAdx),
}

impl Engine {
    fn new(b: Backend) -> Result<Self, Error> {
        if !cpu::is_available(Primitive::X25519, b) {
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

    /// The engine for this CPU; chosen once per process.
    #[inline]
    fn preferred() -> Self {
        #[cfg(feature = "std")]
        {
            static CHOSEN: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
            *CHOSEN.get_or_init(|| Engine::new(cpu::preferred(Primitive::X25519)).unwrap_or(Engine::Portable))
        }
        #[cfg(not(feature = "std"))]
        Engine::new(cpu::preferred(Primitive::X25519)).unwrap_or(Engine::Portable)
    }

    fn backend(self) -> Backend {
        match self {
            Engine::Portable => Backend::Portable,
            #[cfg(target_arch = "x86_64")]
            Engine::MulxAdx(_) => Backend::X86MulxAdx,
        }
    }

    fn scalarmult(self, scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
        let mut k = curve::clamp(scalar);
        let out = match self {
            Engine::Portable => curve::ladder(soft::Soft, &k, u),
            #[cfg(target_arch = "x86_64")]
            Engine::MulxAdx(t) => t.ladder(&k, u),
        };
        ct::wipe(&mut k);
        out
    }

    fn scalarmult_base(self, scalar: &[u8; 32]) -> [u8; 32] {
        let mut k = curve::clamp(scalar);
        let out = match self {
            Engine::Portable => curve::base_mul(soft::Soft, &k),
            #[cfg(target_arch = "x86_64")]
            Engine::MulxAdx(t) => t.base_mul(&k),
        };
        ct::wipe(&mut k);
        out
    }
}

/// The X25519 function of RFC 7748 §5: the scalar is clamped, the top bit of
/// `u` is ignored, and non-canonical u (at least p) is reduced. The result
/// may be all zeros (low-order `u`); [`PrivateKey::diffie_hellman`] rejects
/// that, this raw function does not.
pub fn x25519(scalar: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    Engine::preferred().scalarmult(scalar, u)
}

/// X25519(scalar, 9): the public key of `scalar`, by the fixed-base path.
pub fn x25519_base(scalar: &[u8; 32]) -> [u8; 32] {
    Engine::preferred().scalarmult_base(scalar)
}

/// [`x25519`] on a chosen backend; `Err(BackendUnavailable)` when this CPU
/// cannot run it.
pub fn x25519_with(backend: Backend, scalar: &[u8; 32], u: &[u8; 32]) -> Result<[u8; 32], Error> {
    Ok(Engine::new(backend)?.scalarmult(scalar, u))
}

/// [`x25519_base`] on a chosen backend.
pub fn x25519_base_with(backend: Backend, scalar: &[u8; 32]) -> Result<[u8; 32], Error> {
    Ok(Engine::new(backend)?.scalarmult_base(scalar))
}

/// The backend [`x25519`] and new keys use on this CPU.
pub fn backend() -> Backend {
    Engine::preferred().backend()
}

/// An X25519 private key: 32 secret bytes (clamped when used). Wiped on
/// drop; `Debug` does not print it.
pub struct PrivateKey {
    bytes: [u8; 32],
    engine: Engine,
}

impl PrivateKey {
    /// A fresh random key.
    pub fn generate(rng: &mut impl Rng) -> Result<Self, Error> {
        let mut bytes = [0u8; 32];
        if let Err(e) = rng.fill(&mut bytes) {
            ct::wipe(&mut bytes);
            return Err(e);
        }
        Ok(PrivateKey { bytes, engine: Engine::preferred() })
    }

    /// A key from its 32-byte encoding (any 32 bytes are a valid key).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        PrivateKey { bytes: *bytes, engine: Engine::preferred() }
    }

    /// The same key, computing on `backend`; `Err(BackendUnavailable)` when
    /// this CPU cannot run it.
    pub fn with_backend(mut self, backend: Backend) -> Result<Self, Error> {
        self.engine = Engine::new(backend)?;
        Ok(self)
    }

    /// The backend this key computes on.
    pub fn backend(&self) -> Backend {
        self.engine.backend()
    }

    /// The raw secret bytes (as given or generated, not clamped).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// The matching public key, X25519(key, 9).
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.engine.scalarmult_base(&self.bytes))
    }

    /// The shared secret with `peer`. `Err(ZeroSharedSecret)` when it is all
    /// zeros, which happens exactly when `peer` is a point of small order
    /// (RFC 7748 §6.1; TLS 1.3, RFC 8446 §7.4.2, requires the check).
    pub fn diffie_hellman(&self, peer: &PublicKey) -> Result<SharedSecret, Error> {
        let s = SharedSecret(self.engine.scalarmult(&self.bytes, &peer.0));
        if ct::bytes_eq(&s.0, &[0u8; 32]) {
            return Err(Error::ZeroSharedSecret);
        }
        Ok(s)
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        ct::wipe(&mut self.bytes);
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::PrivateKey(..)")
    }
}

/// An X25519 public key: a u-coordinate, 32 bytes little-endian.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// A public key from its encoding. Every 32-byte string is accepted, as
    /// RFC 7748 asks (the top bit is ignored, non-canonical values reduced).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        PublicKey(*bytes)
    }

    /// The encoding, exactly as given or computed.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The encoding, borrowed.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl TryFrom<&[u8]> for PublicKey {
    type Error = Error;
    fn try_from(b: &[u8]) -> Result<Self, Error> {
        let a: [u8; 32] = b.try_into().map_err(|_| Error::BadLength { what: "X25519 public key" })?;
        Ok(PublicKey(a))
    }
}

impl From<[u8; 32]> for PublicKey {
    fn from(b: [u8; 32]) -> Self {
        PublicKey(b)
    }
}

impl AsRef<[u8]> for PublicKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::PublicKey(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// The result of a key exchange. Wiped on drop; `Debug` does not print it.
pub struct SharedSecret([u8; 32]);

impl SharedSecret {
    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl Drop for SharedSecret {
    fn drop(&mut self) {
        ct::wipe(&mut self.0);
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("x25519::SharedSecret(..)")
    }
}
