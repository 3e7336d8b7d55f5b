//! Run-time CPU feature detection and the choice of backend for each primitive.
//!
//! Detection runs once (cpufeatures and std cache it). A primitive asks
//! [`preferred`] when a key or hasher is built and keeps the answer in the
//! value, so hot loops never ask again. [`available`] lists every backend this
//! CPU can run, best first, so tests can reach each of them by name.
//!
//! `IRONSEAL_FORCE_SOFT=1` in the environment (read once, with `std`) or
//! `--cfg ironseal_force_soft` at build time narrows every list to
//! [`Backend::Portable`].

use core::fmt;

/// One implementation of a primitive. Names say which CPU features it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// Portable, constant-time Rust. Always available.
    Portable,
    /// x86_64 SHA extensions (SHA-NI) with SSSE3 and SSE4.1.
    X86ShaNi,
    /// x86_64 AVX2 with BMI1/BMI2: vector message schedule, scalar rounds.
    X86Avx2,
    /// x86_64 AES-NI with PCLMULQDQ (128-bit vectors).
    X86AesNiClmul,
    /// x86_64 VAES with VPCLMULQDQ on 256-bit vectors (AVX2).
    X86VaesAvx2,
    /// x86_64 VAES with VPCLMULQDQ on 512-bit vectors (AVX-512F/BW/VL).
    X86VaesAvx512,
    /// x86_64 BMI2 + ADX (MULX, ADCX, ADOX).
    X86MulxAdx,
    /// x86_64 AVX-512 IFMA (52-bit multiply-accumulate).
    X86Ifma,
    /// ARMv8 SHA-256 instructions (FEAT_SHA256).
    Aarch64Sha2,
    /// ARMv8 AES instructions with PMULL (FEAT_AES + FEAT_PMULL).
    Aarch64AesPmull,
}

impl Backend {
    /// A short stable name, as printed by `ironseal cpu`.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Portable => "portable",
            Backend::X86ShaNi => "x86_64-sha-ni",
            Backend::X86Avx2 => "x86_64-avx2-bmi2",
            Backend::X86AesNiClmul => "x86_64-aesni-pclmulqdq",
            Backend::X86VaesAvx2 => "x86_64-vaes-avx2",
            Backend::X86VaesAvx512 => "x86_64-vaes-avx512",
            Backend::X86MulxAdx => "x86_64-mulx-adx",
            Backend::X86Ifma => "x86_64-avx512ifma",
            Backend::Aarch64Sha2 => "aarch64-sha2",
            Backend::Aarch64AesPmull => "aarch64-aes-pmull",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The primitives that have more than one backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Primitive {
    /// SHA-224/256 compression.
    Sha256,
    /// SHA-384/512 compression.
    Sha512,
    /// The AES block cipher (and CTR mode).
    Aes,
    /// AES-GCM: AES-CTR and GHASH together.
    AesGcm,
    /// X25519 field arithmetic.
    X25519,
    /// Big-integer (RSA) Montgomery arithmetic.
    BigInt,
}

impl Primitive {
    /// Every primitive, in the order `ironseal cpu` prints them.
    pub const ALL: &'static [Primitive] = &[
        Primitive::Sha256,
        Primitive::Sha512,
        Primitive::Aes,
        Primitive::AesGcm,
        Primitive::X25519,
        Primitive::BigInt,
    ];

    /// A short name for printing.
    pub const fn name(self) -> &'static str {
        match self {
            Primitive::Sha256 => "sha256",
            Primitive::Sha512 => "sha512",
            Primitive::Aes => "aes",
            Primitive::AesGcm => "aes-gcm",
            Primitive::X25519 => "x25519",
            Primitive::BigInt => "bigint",
        }
    }
}

/// A short list of backends, best first. Derefs to a slice.
#[derive(Clone, Copy, Debug)]
pub struct Backends {
    list: [Backend; 6],
    len: usize,
}

impl Backends {
    const fn new() -> Self {
        Backends { list: [Backend::Portable; 6], len: 0 }
    }

    fn push(&mut self, b: Backend) {
        self.list[self.len] = b;
        self.len += 1;
    }
}

impl core::ops::Deref for Backends {
    type Target = [Backend];
    fn deref(&self) -> &[Backend] {
        &self.list[..self.len]
    }
}

impl<'a> IntoIterator for &'a Backends {
    type Item = &'a Backend;
    type IntoIter = core::slice::Iter<'a, Backend>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Every backend of `p` that this CPU can run, best first; the last is always
/// [`Backend::Portable`]. Under the force-soft override only `Portable`.
pub fn available(p: Primitive) -> Backends {
    let mut out = Backends::new();
    if !force_soft() {
        let f = features();
        let mut add = |yes: bool, b: Backend| {
            if yes {
                out.push(b);
            }
        };
        match p {
            Primitive::Sha256 => {
                add(f.sha_ni, Backend::X86ShaNi);
                add(f.avx2 && f.bmi1 && f.bmi2, Backend::X86Avx2);
                add(f.a64_sha2, Backend::Aarch64Sha2);
            }
            Primitive::Sha512 => add(f.avx2 && f.bmi1 && f.bmi2, Backend::X86Avx2),
            // The VAES + VPCLMULQDQ tiers are not implemented yet (no CPU here
            // to test them on), so they are not listed.
            Primitive::Aes => {
                add(f.aesni, Backend::X86AesNiClmul);
                // Rust's `aes` target feature covers AES and PMULL together.
                add(f.a64_aes && f.a64_pmull, Backend::Aarch64AesPmull);
            }
            Primitive::AesGcm => {
                add(f.aesni && f.pclmulqdq, Backend::X86AesNiClmul);
                add(f.a64_aes && f.a64_pmull, Backend::Aarch64AesPmull);
            }
            Primitive::X25519 => add(f.bmi2 && f.adx, Backend::X86MulxAdx),
            // The AVX-512 IFMA tier is not implemented yet, so it is not listed.
            Primitive::BigInt => add(f.bmi2 && f.adx, Backend::X86MulxAdx),
        }
    }
    out.push(Backend::Portable);
    out
}

/// The backend `p` uses by default on this CPU.
pub fn preferred(p: Primitive) -> Backend {
    available(p)[0]
}

/// Whether `b` can run here for `p` (the force-soft override included).
pub fn is_available(p: Primitive, b: Backend) -> bool {
    available(p).contains(&b)
}

/// Whether the portable backends are forced, by `--cfg ironseal_force_soft` or
/// by `IRONSEAL_FORCE_SOFT=1` in the environment (read on first use).
pub fn force_soft() -> bool {
    if cfg!(ironseal_force_soft) {
        return true;
    }
    #[cfg(feature = "std")]
    {
        use std::sync::OnceLock;
        static FORCE: OnceLock<bool> = OnceLock::new();
        *FORCE.get_or_init(|| {
            std::env::var_os("IRONSEAL_FORCE_SOFT").is_some_and(|v| v != "0" && !v.is_empty())
        })
    }
    #[cfg(not(feature = "std"))]
    false
}

/// The CPU features ironseal cares about, as detected at run time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Features {
    /// x86_64: SHA extensions with SSE2/SSSE3/SSE4.1.
    pub sha_ni: bool,
    /// x86_64: AES-NI (with SSSE3 and SSE4.1, which every AES-NI CPU has).
    pub aesni: bool,
    /// x86_64: PCLMULQDQ.
    pub pclmulqdq: bool,
    /// x86_64: AVX and AVX2.
    pub avx2: bool,
    /// x86_64: VAES.
    pub vaes: bool,
    /// x86_64: VPCLMULQDQ.
    pub vpclmulqdq: bool,
    /// x86_64: AVX-512 F, BW and VL.
    pub avx512: bool,
    /// x86_64: AVX-512 IFMA.
    pub avx512ifma: bool,
    /// x86_64: BMI1 (ANDN).
    pub bmi1: bool,
    /// x86_64: BMI2 (MULX, RORX).
    pub bmi2: bool,
    /// x86_64: ADX (ADCX/ADOX).
    pub adx: bool,
    /// aarch64: AES instructions.
    pub a64_aes: bool,
    /// aarch64: PMULL (64x64 polynomial multiply), detected on its own.
    pub a64_pmull: bool,
    /// aarch64: SHA-256 instructions.
    pub a64_sha2: bool,
}

/// What this CPU has, read once and cached.
pub fn features() -> Features {
    #[cfg(feature = "std")]
    {
        use std::sync::OnceLock;
        static FEATURES: OnceLock<Features> = OnceLock::new();
        *FEATURES.get_or_init(detect)
    }
    #[cfg(not(feature = "std"))]
    detect()
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Features {
    cpufeatures::new!(cpuid_sha, "sha", "sse2", "ssse3", "sse4.1");
    cpufeatures::new!(cpuid_aes, "aes", "ssse3", "sse4.1");
    cpufeatures::new!(cpuid_clmul, "pclmulqdq");
    cpufeatures::new!(cpuid_avx2, "avx", "avx2");
    cpufeatures::new!(cpuid_avx512, "avx512f", "avx512bw", "avx512vl");
    cpufeatures::new!(cpuid_ifma, "avx512ifma");
    cpufeatures::new!(cpuid_bmi1, "bmi1");
    cpufeatures::new!(cpuid_bmi2, "bmi2");
    cpufeatures::new!(cpuid_adx, "adx");
    // cpufeatures ties VAES and VPCLMULQDQ to the AVX-512 register state; the
    // 256-bit forms need only AVX, so ask std where we have it.
    #[cfg(feature = "std")]
    let (vaes, vpclmulqdq) =
        (std::arch::is_x86_feature_detected!("vaes"), std::arch::is_x86_feature_detected!("vpclmulqdq"));
    #[cfg(not(feature = "std"))]
    let (vaes, vpclmulqdq) = {
        cpufeatures::new!(cpuid_vaes, "vaes", "vpclmulqdq");
        let v = cpuid_vaes::get();
        (v, v)
    };
    Features {
        sha_ni: cpuid_sha::get(),
        aesni: cpuid_aes::get(),
        pclmulqdq: cpuid_clmul::get(),
        avx2: cpuid_avx2::get(),
        vaes,
        vpclmulqdq,
        avx512: cpuid_avx512::get(),
        avx512ifma: cpuid_ifma::get(),
        bmi1: cpuid_bmi1::get(),
        bmi2: cpuid_bmi2::get(),
        adx: cpuid_adx::get(),
        ..Features::default()
    }
}

#[cfg(target_arch = "aarch64")]
fn detect() -> Features {
    // cpufeatures' "aes" is true when AES *or* PMULL is present, and the
    // AES-GCM backend needs both; std tells them apart. Without std we cannot,
    // so AES stays portable there (SHA-256 detection is exact either way).
    #[cfg(feature = "std")]
    let (aes, pmull, sha2) = (
        std::arch::is_aarch64_feature_detected!("aes"),
        std::arch::is_aarch64_feature_detected!("pmull"),
        std::arch::is_aarch64_feature_detected!("sha2"),
    );
    #[cfg(not(feature = "std"))]
    let (aes, pmull, sha2) = {
        cpufeatures::new!(cpuid_sha2, "sha2");
        (false, false, cpuid_sha2::get())
    };
    Features { a64_aes: aes, a64_pmull: pmull, a64_sha2: sha2, ..Features::default() }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn detect() -> Features {
    Features::default()
}
