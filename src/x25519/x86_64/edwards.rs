//! The point operation of the fixed-base multiplication (`curve.rs`) as one
//! `asm!` block over a state array: the mixed addition p + q (extended p,
//! affine q as (y + x, y - x, 2dxy)), with the same formulas as the
//! generic code and the lazy reduction of `fe_asm.rs`.
//!
//! Bounds: the point's coordinates must be bounded on entry. They are for
//! the neutral element the state starts from, and the routine leaves
//! products there, which are. Inside, every operand of a sum, and every
//! subtrahend, is a coordinate, a product or a `twice`; the table entries
//! (any values below 2^256) and T are only multiplied.

/// Word offsets of the slots (four words each): the point X, Y, Z, T, then
/// the affine operand, then eight temporaries.
pub(super) const X: usize = 0;
pub(super) const Y: usize = 4;
pub(super) const Z: usize = 8;
pub(super) const T: usize = 12;
pub(super) const YPX: usize = 16;
pub(super) const YMX: usize = 20;
pub(super) const XY2D: usize = 24;
/// 1 when the affine operand is to be negated (only its 2dxy: y + x and
/// y - x come already exchanged), else 0.
pub(super) const NEG: usize = 60;
/// Words in the state.
pub(super) const WORDS: usize = 61;

/// (X, Y, Z, T) += (YPX, YMX, XY2D), or -= when NEG is 1
/// (add-2008-hwcd-3).
///
/// # Safety
///
/// The CPU must have BMI2 and ADX. (Correctness, not safety: X, Y and Z
/// must be bounded.)
pub(super) unsafe fn madd(state: &mut [u64; WORDS]) {
    // SAFETY: the caller guarantees MULX/ADCX/ADOX. Every access is `rdi`
    // plus a constant below 8 * WORDS = 488: inside `state`. No branches.
    unsafe {
        run_with_state!(
            state,
            [
                // a = (Y - X)(y - x), b = (Y + X)(y + x), c = T 2dxy, d = 2Z
                sub!("rdi + 224", "rdi + 32", "rdi + 0"),
                add!("rdi + 256", "rdi + 32", "rdi + 0"),
                mul!("rdi + 352", "rdi + 96", "rdi + 192"),
                twice!("rdi + 384", "rdi + 64"),
                mul!("rdi + 288", "rdi + 224", "rdi + 160"),
                mul!("rdi + 320", "rdi + 256", "rdi + 128"),
                // e = b - a, f = d - c, g = d + c, h = b + a; for a negated
                // operand, c changes sign: f and g trade places.
                "mov rsi, qword ptr [rdi + 8*{neg}]",
                diff_sum_swap!("rdi + 416", "rdi + 448", "rdi + 384", "rdi + 352"),
                sub!("rdi + 224", "rdi + 320", "rdi + 288"),
                add!("rdi + 256", "rdi + 320", "rdi + 288"),
                // X = e f, Y = g h, Z = f g, T = e h
                mul!("rdi + 0", "rdi + 224", "rdi + 416"),
                mul!("rdi + 32", "rdi + 448", "rdi + 256"),
                mul!("rdi + 64", "rdi + 416", "rdi + 448"),
                mul!("rdi + 96", "rdi + 224", "rdi + 256"),
            ],
            neg = const NEG,
        );
    }
}
