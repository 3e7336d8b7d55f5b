//! ironseal: cryptographic primitives written from scratch, with SIMD fast
//! paths chosen at run time over constant-time portable code.
//!
//! Every primitive with more than one implementation lives in its own folder:
//! `mod.rs` holds the public type and the dispatch, `soft.rs` the portable
//! code, `x86_64.rs` / `aarch64.rs` the intrinsics. All `unsafe` lives in the
//! architecture files. See `cpu` for how a backend is chosen and how to force
//! the portable one (`IRONSEAL_FORCE_SOFT=1`).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

pub mod aes;
pub mod aes_gcm;
pub mod bigint;
pub mod cpu;
pub mod ct;
pub mod der;
mod error;
pub mod hash;
pub mod hkdf;
pub mod hmac;
#[cfg(feature = "std")]
pub mod pem;
pub mod rand;
#[cfg(feature = "std")]
pub mod rsa;
pub mod sha1;
pub mod sha2;
pub mod x25519;

pub use error::Error;
