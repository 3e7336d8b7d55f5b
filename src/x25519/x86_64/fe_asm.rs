//! Field arithmetic mod 2^255 - 19 as `asm!` text (MULX, ADCX, ADOX): one
//! macro per operation on 32-byte slots of a state array, for the routines
//! that keep their whole state in one (`ladder.rs`, `edwards.rs`,
//! `chain.rs`).
//!
//! Reduction is lazy. "Bounded" below means below 2^255 + 2^24:
//! - `mul`, `sqr`, `a24_add` return bounded values: the 512-bit product is
//!   folded once with 2^256 = 38, then everything from bit 255 up is folded
//!   with 2^255 = 19, in one carry pass;
//! - `add` takes two bounded values and returns some value below 2^256 (a
//!   carry out means the low part is tiny, so adding 38 cannot carry again);
//! - `sub` takes any value below 2^256 minus a bounded one and returns some
//!   value below 2^256 (after a borrow the difference is at least
//!   2^255 - 2^24, so taking 38 off cannot borrow again);
//! - `mul` and `sqr` take any values below 2^256;
//! - `twice` returns a bounded value for a bounded one;
//! - `mul_wide` stops after the first fold: five words, the top one at most
//!   38; `sum_diff_wide` takes two of those and returns bounded values.

// Field-operation macros. Each argument is a slot's address as a string
// (a literal or a macro that gives one): a base register plus a byte offset,
// such as "rdi + 32". Each expands to one string of instructions that uses
// rax, rcx, rdx, rsi and r8-r15 freely and leaves its result in its slot.
// (`rustfmt::skip`: one instruction per line reads better than rustfmt's
// one token per line.)

/// `asm!` of the template strings `[...]` (instructions and the macros
/// below) on the state array `$state`, addressed from rdi, with the
/// registers the macros overwrite declared, and any further operands (named
/// constants) after the list.
macro_rules! run_with_state {
    ($state:expr, [$($code:expr),* $(,)?] $(, $name:ident = const $value:expr)* $(,)?) => {
        core::arch::asm!(
            $($code,)*
            $($name = const $value,)*
            in("rdi") $state.as_mut_ptr(),
            out("rax") _,
            out("rcx") _,
            out("rdx") _,
            out("rsi") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r12") _,
            out("r13") _,
            out("r14") _,
            out("r15") _,
            options(nostack),
        )
    };
}

/// The memory operand for limb `$i` of the slot at `$s`.
macro_rules! limb {
    ($s:expr, $i:expr) => {
        concat!("qword ptr [", $s, " + 8*", $i, "]")
    };
}

/// z7..z0 (r15..r8) -> bounded [r11..r8] -> slot `$d`: first z0..z3 +
/// 38 z4..z7 (top word in r12, at most 38), then bits 255 and up times 19.
#[rustfmt::skip]
macro_rules! reduce_store {
    ($d:expr) => {
        concat!(reduce38!(), fold_store!($d))
    };
}

/// z7..z0 (r15..r8) -> z0..z3 + 38 z4..z7 in [r12 r11..r8], the top word
/// r12 at most 38.
#[rustfmt::skip]
macro_rules! reduce38 {
    () => {
        concat!(
            "xor esi, esi\n",
            "mov edx, 38\n",
            "mulx rcx, rax, r12\n", "adcx r8, rax\n", "adox r9, rcx\n",
            "mulx rcx, rax, r13\n", "adcx r9, rax\n", "adox r10, rcx\n",
            "mulx rcx, rax, r14\n", "adcx r10, rax\n", "adox r11, rcx\n",
            "mulx r12, rax, r15\n", "adcx r11, rax\n", "adox r12, rsi\n",
            "adcx r12, rsi\n",
        )
    };
}

/// [r12 r11..r8] with a small top word r12 -> bounded, stored at `$d`:
/// h = value >> 255, value - h 2^255 + 19 h.
#[rustfmt::skip]
macro_rules! fold_store {
    ($d:expr) => {
        concat!(
            "shld r12, r11, 1\n",
            "btr r11, 63\n",
            "imul r12, r12, 19\n",
            "add r8, r12\n",
            "adc r9, 0\n",
            "adc r10, 0\n",
            "adc r11, 0\n",
            "mov ", limb!($d, 0), ", r8\n",
            "mov ", limb!($d, 1), ", r9\n",
            "mov ", limb!($d, 2), ", r10\n",
            "mov ", limb!($d, 3), ", r11\n",
        )
    };
}

/// d = a * b: schoolbook rows, the first on one ADD chain, the others with
/// low halves on the CF chain (ADCX) and high halves on the OF chain (ADOX).
#[rustfmt::skip]
macro_rules! mul {
    ($d:expr, $a:expr, $b:expr) => {
        concat!(product!($a, $b), reduce_store!($d))
    };
}

/// d = a * b as five words (a 40-byte slot): the product folded once with
/// 2^256 = 38, the top word at most 38. For a product that only feeds
/// [`sum_diff_wide!`], which does the second fold.
#[rustfmt::skip]
macro_rules! mul_wide {
    ($d:expr, $a:expr, $b:expr) => {
        concat!(
            product!($a, $b),
            reduce38!(),
            "mov ", limb!($d, 0), ", r8\n",
            "mov ", limb!($d, 1), ", r9\n",
            "mov ", limb!($d, 2), ", r10\n",
            "mov ", limb!($d, 3), ", r11\n",
            "mov ", limb!($d, 4), ", r12\n",
        )
    };
}

/// The 512-bit a * b into z7..z0 (r15..r8).
#[rustfmt::skip]
macro_rules! product {
    ($a:expr, $b:expr) => {
        concat!(
            "mov rdx, ", limb!($b, 0), "\n",
            "mulx r9, r8, ", limb!($a, 0), "\n",
            "mulx r10, rax, ", limb!($a, 1), "\n",
            "add r9, rax\n",
            "mulx r11, rax, ", limb!($a, 2), "\n",
            "adc r10, rax\n",
            "mulx r12, rax, ", limb!($a, 3), "\n",
            "adc r11, rax\n",
            "adc r12, 0\n",
            mul_row!($a, $b, 1, "r9", "r10", "r11", "r12", "r13"),
            mul_row!($a, $b, 2, "r10", "r11", "r12", "r13", "r14"),
            mul_row!($a, $b, 3, "r11", "r12", "r13", "r14", "r15"),
        )
    };
}

/// One row of [`mul!`]: (t0..t4) += a * b[i], t4 starting from zero.
#[rustfmt::skip]
macro_rules! mul_row {
    ($a:expr, $b:expr, $i:expr,
     $t0:expr, $t1:expr, $t2:expr, $t3:expr, $t4:expr) => {
        concat!(
            "mov rdx, ", limb!($b, $i), "\n",
            "xor ", $t4, "d, ", $t4, "d\n",
            "mulx rcx, rax, ", limb!($a, 0), "\n", "adcx ", $t0, ", rax\n", "adox ", $t1, ", rcx\n",
            "mulx rcx, rax, ", limb!($a, 1), "\n", "adcx ", $t1, ", rax\n", "adox ", $t2, ", rcx\n",
            "mulx rcx, rax, ", limb!($a, 2), "\n", "adcx ", $t2, ", rax\n", "adox ", $t3, ", rcx\n",
            "mulx rcx, rax, ", limb!($a, 3), "\n", "adcx ", $t3, ", rax\n", "adox ", $t4, ", rcx\n",
            "adc ", $t4, ", 0\n",
        )
    };
}

/// d = a^2: the six cross products once, then doubled (CF chain) while the
/// four squares are added (OF chain).
#[rustfmt::skip]
macro_rules! sqr {
    ($d:expr, $a:expr) => {
        concat!(
            // The cross products a0 a1, a0 a3 and a2 a3 do not overlap:
            // they land in r9..r14 as they are. a0 a2, a1 a2 and a1 a3 are
            // then added on the CF (low halves) and OF (high halves) chains.
            "mov rdx, ", limb!($a, 0), "\n",
            "mulx r10, r9, ", limb!($a, 1), "\n",
            "mulx r12, r11, ", limb!($a, 3), "\n",
            "mulx rcx, rax, ", limb!($a, 2), "\n",
            "mov rdx, ", limb!($a, 2), "\n",
            "mulx r14, r13, ", limb!($a, 3), "\n",
            "xor r15d, r15d\n",
            "adcx r10, rax\n", "adox r11, rcx\n",
            "mulx rcx, rax, ", limb!($a, 1), "\n",
            "adcx r11, rax\n", "adox r12, rcx\n",
            "mov rdx, ", limb!($a, 1), "\n",
            "mulx rcx, rax, ", limb!($a, 3), "\n",
            "adcx r12, rax\n", "adox r13, rcx\n",
            "adcx r13, r15\n", "adox r14, r15\n",
            "adcx r14, r15\n",
            // 2 * cross + squares; the total fits in 512 bits, so the last
            // additions carry nowhere. (A fresh XOR, though the flags are
            // clear already: the chains then need not wait for the ones
            // above to end.)
            "xor r15d, r15d\n",
            "mov rdx, ", limb!($a, 0), "\n",
            "mulx rcx, r8, rdx\n",
            "adcx r9, r9\n", "adox r9, rcx\n",
            "mov rdx, ", limb!($a, 1), "\n",
            "mulx rcx, rax, rdx\n",
            "adcx r10, r10\n", "adox r10, rax\n",
            "adcx r11, r11\n", "adox r11, rcx\n",
            "mov rdx, ", limb!($a, 2), "\n",
            "mulx rcx, rax, rdx\n",
            "adcx r12, r12\n", "adox r12, rax\n",
            "adcx r13, r13\n", "adox r13, rcx\n",
            "mov rdx, ", limb!($a, 3), "\n",
            "mulx rcx, rax, rdx\n",
            "adcx r14, r14\n", "adox r14, rax\n",
            "adcx r15, r15\n", "adox r15, rcx\n",
            reduce_store!($d),
        )
    };
}

/// d = a + b for bounded a and b: a carry out is 2^256 = 38, and it leaves
/// the low part below 2^25, so adding 38 to the low limb is exact.
#[rustfmt::skip]
macro_rules! add {
    ($d:expr, $a:expr, $b:expr) => {
        concat!(
            "mov r8, ", limb!($a, 0), "\n", "add r8, ", limb!($b, 0), "\n",
            "mov r9, ", limb!($a, 1), "\n", "adc r9, ", limb!($b, 1), "\n",
            "mov r10, ", limb!($a, 2), "\n", "adc r10, ", limb!($b, 2), "\n",
            "mov r11, ", limb!($a, 3), "\n", "adc r11, ", limb!($b, 3), "\n",
            "sbb rax, rax\n",
            "and eax, 38\n",
            "add r8, rax\n",
            "mov ", limb!($d, 0), ", r8\n",
            "mov ", limb!($d, 1), ", r9\n",
            "mov ", limb!($d, 2), ", r10\n",
            "mov ", limb!($d, 3), ", r11\n",
        )
    };
}

/// d = a - b for bounded b: a borrow is -2^256 = -38, and it leaves the
/// difference at least 2^255 - 2^24, so taking 38 off cannot borrow out.
#[rustfmt::skip]
macro_rules! sub {
    ($d:expr, $a:expr, $b:expr) => {
        concat!(
            "mov r8, ", limb!($a, 0), "\n", "sub r8, ", limb!($b, 0), "\n",
            "mov r9, ", limb!($a, 1), "\n", "sbb r9, ", limb!($b, 1), "\n",
            "mov r10, ", limb!($a, 2), "\n", "sbb r10, ", limb!($b, 2), "\n",
            "mov r11, ", limb!($a, 3), "\n", "sbb r11, ", limb!($b, 3), "\n",
            "sbb rax, rax\n",
            "and eax, 38\n",
            "sub r8, rax\n",
            "sbb r9, 0\n",
            "sbb r10, 0\n",
            "sbb r11, 0\n",
            "mov ", limb!($d, 0), ", r8\n",
            "mov ", limb!($d, 1), ", r9\n",
            "mov ", limb!($d, 2), ", r10\n",
            "mov ", limb!($d, 3), ", r11\n",
        )
    };
}

/// d = 121665 e + a for any e below 2^256 and bounded a; bounded result.
#[rustfmt::skip]
macro_rules! a24_add {
    ($d:expr, $e:expr, $a:expr) => {
        concat!(
            "mov edx, 121665\n",
            "mulx rcx, r8, ", limb!($e, 0), "\n",
            "mulx rax, r9, ", limb!($e, 1), "\n",
            "add r9, rcx\n",
            "mulx rcx, r10, ", limb!($e, 2), "\n",
            "adc r10, rax\n",
            "mulx r12, r11, ", limb!($e, 3), "\n",
            "adc r11, rcx\n",
            "adc r12, 0\n",
            "add r8, ", limb!($a, 0), "\n",
            "adc r9, ", limb!($a, 1), "\n",
            "adc r10, ", limb!($a, 2), "\n",
            "adc r11, ", limb!($a, 3), "\n",
            "adc r12, 0\n",
            fold_store!($d),
        )
    };
}

/// p = a - b and q = a + b (bounded b; bounded a and b for the sum, as
/// [`sub!`] and [`add!`]), exchanged when esi is nonzero.
#[rustfmt::skip]
macro_rules! diff_sum_swap {
    ($p:expr, $q:expr, $a:expr, $b:expr) => {
        concat!(
            "mov r8, ", limb!($a, 0), "\n", "sub r8, ", limb!($b, 0), "\n",
            "mov r9, ", limb!($a, 1), "\n", "sbb r9, ", limb!($b, 1), "\n",
            "mov r10, ", limb!($a, 2), "\n", "sbb r10, ", limb!($b, 2), "\n",
            "mov r11, ", limb!($a, 3), "\n", "sbb r11, ", limb!($b, 3), "\n",
            "sbb rax, rax\n",
            "and eax, 38\n",
            "sub r8, rax\n",
            "sbb r9, 0\n",
            "sbb r10, 0\n",
            "sbb r11, 0\n",
            "mov r12, ", limb!($a, 0), "\n", "add r12, ", limb!($b, 0), "\n",
            "mov r13, ", limb!($a, 1), "\n", "adc r13, ", limb!($b, 1), "\n",
            "mov r14, ", limb!($a, 2), "\n", "adc r14, ", limb!($b, 2), "\n",
            "mov r15, ", limb!($a, 3), "\n", "adc r15, ", limb!($b, 3), "\n",
            "sbb rax, rax\n",
            "and eax, 38\n",
            "add r12, rax\n",
            swap_store!($p, $q),
        )
    };
}

/// From two five-word values a and b of [`mul_wide!`]: s = a + b and
/// d = a - b, each folded to a bounded value. The difference has 128 p =
/// 64 * 2^256 - 2432 added first, more than b can be (below 39 * 2^256), so
/// it is never negative; the top words stay below 103 and fold exactly.
#[rustfmt::skip]
macro_rules! sum_diff_wide {
    ($s:expr, $d:expr, $a:expr, $b:expr) => {
        concat!(
            "mov r8, ", limb!($a, 0), "\n", "add r8, ", limb!($b, 0), "\n",
            "mov r9, ", limb!($a, 1), "\n", "adc r9, ", limb!($b, 1), "\n",
            "mov r10, ", limb!($a, 2), "\n", "adc r10, ", limb!($b, 2), "\n",
            "mov r11, ", limb!($a, 3), "\n", "adc r11, ", limb!($b, 3), "\n",
            "mov r12, ", limb!($a, 4), "\n", "adc r12, ", limb!($b, 4), "\n",
            fold_store!($s),
            "mov r8, ", limb!($a, 0), "\n", "sub r8, ", limb!($b, 0), "\n",
            "mov r9, ", limb!($a, 1), "\n", "sbb r9, ", limb!($b, 1), "\n",
            "mov r10, ", limb!($a, 2), "\n", "sbb r10, ", limb!($b, 2), "\n",
            "mov r11, ", limb!($a, 3), "\n", "sbb r11, ", limb!($b, 3), "\n",
            "mov r12, ", limb!($a, 4), "\n", "sbb r12, ", limb!($b, 4), "\n",
            "sub r8, 2432\n",
            "sbb r9, 0\n",
            "sbb r10, 0\n",
            "sbb r11, 0\n",
            "sbb r12, 0\n",
            "add r12, 64\n",
            fold_store!($d),
        )
    };
}

/// d = b where esi is nonzero, else a (CMOV: the same loads either way).
#[rustfmt::skip]
macro_rules! select_to {
    ($d:expr, $a:expr, $b:expr) => {
        concat!(
            "test esi, esi\n",
            "mov r8, ", limb!($a, 0), "\n", "cmovnz r8, ", limb!($b, 0), "\n",
            "mov r9, ", limb!($a, 1), "\n", "cmovnz r9, ", limb!($b, 1), "\n",
            "mov r10, ", limb!($a, 2), "\n", "cmovnz r10, ", limb!($b, 2), "\n",
            "mov r11, ", limb!($a, 3), "\n", "cmovnz r11, ", limb!($b, 3), "\n",
            "mov ", limb!($d, 0), ", r8\n",
            "mov ", limb!($d, 1), ", r9\n",
            "mov ", limb!($d, 2), ", r10\n",
            "mov ", limb!($d, 3), ", r11\n",
        )
    };
}

/// [r11..r8] to `$p` and [r15..r12] to `$q`, exchanged when esi is nonzero.
#[rustfmt::skip]
macro_rules! swap_store {
    ($p:expr, $q:expr) => {
        concat!(
            "test esi, esi\n",
            "mov rax, r8\n", "cmovnz r8, r12\n", "cmovnz r12, rax\n",
            "mov rax, r9\n", "cmovnz r9, r13\n", "cmovnz r13, rax\n",
            "mov rax, r10\n", "cmovnz r10, r14\n", "cmovnz r14, rax\n",
            "mov rax, r11\n", "cmovnz r11, r15\n", "cmovnz r15, rax\n",
            "mov ", limb!($p, 0), ", r8\n",
            "mov ", limb!($p, 1), ", r9\n",
            "mov ", limb!($p, 2), ", r10\n",
            "mov ", limb!($p, 3), ", r11\n",
            "mov ", limb!($q, 0), ", r12\n",
            "mov ", limb!($q, 1), ", r13\n",
            "mov ", limb!($q, 2), ", r14\n",
            "mov ", limb!($q, 3), ", r15\n",
        )
    };
}

/// d = 2 a for bounded a; bounded result (the bits from 255 up fold in
/// with 19).
#[rustfmt::skip]
macro_rules! twice {
    ($d:expr, $a:expr) => {
        concat!(
            "mov r8, ", limb!($a, 0), "\n",
            "mov r9, ", limb!($a, 1), "\n",
            "mov r10, ", limb!($a, 2), "\n",
            "mov r11, ", limb!($a, 3), "\n",
            "xor r12d, r12d\n",
            "shld r12, r11, 1\n",
            "shld r11, r10, 1\n",
            "shld r10, r9, 1\n",
            "shld r9, r8, 1\n",
            "add r8, r8\n",
            fold_store!($d),
        )
    };
}
