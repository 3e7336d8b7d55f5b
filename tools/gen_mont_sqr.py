#!/usr/bin/env python3
"""Writes src/bigint/x86_64/sqr.rs: the Montgomery squares of 16-, 24- and
32-word values (the primes of RSA-2048, -3072 and -4096 keys, and the
RSA-2048 modulus) and the Montgomery product of 16-word ones, with MULX/ADCX/ADOX, fully unrolled, each in one asm block with its
scratch on the stack. Run from the crate root:

    python3 tools/gen_mont_sqr.py

Every multiply-accumulate pass uses one kind of step: eight products
x_r y (r = 0..8, y in rdx, x_r in memory) added at positions P + r of a
window of nine words at positions P..P + 8 held in registers, the low
halves on the OF chain (which ends in the top word, where the carry bit c of
the step before, at P + 8, joins it) and the high halves on the CF chain.
Why one carry bit is enough: within a pass over rows x_0..x_7, what has been
added up to and including step s is below 2^(64 (s + 9)) (words of t) plus
(2^512 - 1)(2^(64 (s + 1)) - 1) (products), so below 2^(64 (s + 9) + 1);
the s + 1 words below the window are already stored, so the window and c
hold less than 2^577. Hence the two chains carry out at most one bit
between them: that becomes the next c, and both flags end clear. Then the
word at P is final for the pass and is stored, and the registers are
renamed (not moved) for the next step.

For L words (a multiple of 8), with t of 2L + 2 words:
1. Cross products a_i a_j (i < j), first within each block of eight words
   (the triangles, on words of t that are still zero, so a step with k rows
   only touches k + 2 window words), then in bands of eight rows: band b
   sweeps y = a_j for j = 8b + 8..L with x_r = a_(8b + r); its last carry
   bit is added to t where it belongs and carried to the top.
2. Doubling (ADCX of each word with itself) and the squares a_i^2 (ADOX).
3. Montgomery reduction in bands of eight rows: band b first forms its
   multipliers m_r = t[8b + r] n0 one step at a time (y = m_r, x = n[0..8]),
   then sweeps y = n_j, j = 8..L, with x = m_0..m_7. Its last carry bit
   belongs at word 8b + L + 8, which a later band still reads, so it is set
   aside and added at the end (only words at or above L depend on it, and no
   multiplier is formed from those).
4. u = t[L..2L] plus the carries set aside, then r = u - n if u >= n else u,
   chosen by mask; t is wiped.
A product a b does step 1 as bands over the words of b (copied eight at a
time to the stack), each sweeping y = a_0..a_(L-1) with all eight rows, and
skips step 2.
"""

W = ["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rbp"]
M = 0          # [rsp + 0 .. 64): m_0..m_7
ZERO = 64      # a zero word
N0 = 72
RPTR = 80
NPTR = 88
BPTR = 96      # the second factor of a product
CARRY = 104    # the carry bits set aside, one per band


def layout(L):
    t_off = CARRY + 8 * (L // 8)
    return t_off, t_off + 8 * (2 * L + 2)


def d32(reg):
    """The 32-bit name of a window register (XOR of it zeroes all 64 bits)."""
    return "ebp" if reg == "rbp" else reg + "d"


def t(k):
    return f"[rdi + {8 * k}]"


def step(out, win, rows, x, y, top, store):
    """One step. rows: how many of the eight x_r take part (a prefix).
    x(r): operand of row r; y: how to load rdx (None: already there);
    top: the position of t the new top word is loaded from; store: position
    of t for the finished bottom word, or None."""
    out.append(f"mov {win[8]}, {t(top)}")
    if y is not None:
        out.append(f"mov rdx, {y}")
    for r in range(rows):
        out.append(f"mulx rcx, rax, {x(r)}")
        out.append(f"adox {win[r]}, rax")
        out.append(f"adcx {win[r + 1]}, rcx")
    for r in range(rows, 8):
        out.append(f"adox {win[r]}, [rsp + {ZERO}]")
    for r in range(rows, 8):
        out.append(f"adcx {win[r + 1]}, [rsp + {ZERO}]")
    out.append(f"adox {win[8]}, rbx")
    out.append("mov ebx, 0")
    out.append(f"adox rbx, [rsp + {ZERO}]")
    out.append(f"adcx rbx, [rsp + {ZERO}]")
    if store is not None:
        out.append(f"mov {t(store)}, {win[0]}")
    return win[1:] + win[:1]


def square(out, L):
    # The cross products write words 16b + 1..16b + 15 of each block before
    # anything reads them; the words between, and the two above, are zero.
    out.append("// Zero the words of t the cross products never write.")
    out.append("xor eax, eax")
    for k in list(range(0, 2 * L, 16)) + [2 * L, 2 * L + 1]:
        out.append(f"mov {t(k)}, rax")
    for b in range(L // 8):
        out.append(f"// 1a. Cross products within a_{8 * b}..a_{8 * b + 7} (words {16 * b + 1}..{16 * b + 15}, still zero).")
        win = list(W)
        for k in range(9):
            out.append(f"xor {d32(win[k])}, {d32(win[k])}")
        for j in range(8 * b + 1, 8 * b + 8):
            k = j - 8 * b
            # Rows r < k; the words above P + k are still zero, so the two
            # carries out of P + k just land in P + k + 1.
            out.append(f"mov rdx, [rsi + {8 * j}]")
            for r in range(k):
                out.append(f"mulx rcx, rax, [rsi + {8 * (8 * b + r)}]")
                out.append(f"adox {win[r]}, rax")
                out.append(f"adcx {win[r + 1]}, rcx")
            out.append(f"adox {win[k]}, [rsp + {ZERO}]")
            out.append(f"adox {win[k + 1]}, [rsp + {ZERO}]")
            out.append(f"adcx {win[k + 1]}, [rsp + {ZERO}]")
            out.append(f"mov {t(8 * b + j)}, {win[0]}")
            win = win[1:] + win[:1]
            # The new top word (position P + 9) is still zero.
            out.append(f"xor {d32(win[8])}, {d32(win[8])}")
        for k in range(8):
            out.append(f"mov {t(16 * b + 8 + k)}, {win[k]}")
    for b in range(L // 8 - 1):
        out.append(f"// 1b. Cross products of a_{8 * b}..a_{8 * b + 7} with a_{8 * b + 8}.. (band {b}).")
        win = list(W)
        for k in range(8):
            out.append(f"mov {win[k]}, {t(16 * b + 8 + k)}")
        out.append("xor ebx, ebx")
        for j in range(8 * b + 8, L):
            win = step(out, win, 8, lambda r, b=b: f"[rsi + {8 * (8 * b + r)}]",
                       f"[rsi + {8 * j}]", 8 * b + j + 8, 8 * b + j)
        for k in range(8):
            out.append(f"mov {t(8 * b + L + k)}, {win[k]}")
        # The carry bit belongs at a word that may hold a product already:
        # add it there and carry on to the top (no carry leaves 2L words).
        pos = 8 * b + L + 8
        out.append(f"add {t(pos)}, rbx")
        for k in range(pos + 1, 2 * L):
            out.append(f"adc qword ptr {t(k)}, 0")
    out.append("// 2. Double, and add the squares.")
    out.append("xor eax, eax")
    for i in range(L):
        lo, hi = W[(2 * i) % 8], W[(2 * i + 1) % 8]
        out.append(f"mov rdx, [rsi + {8 * i}]")
        out.append("mulx rcx, rax, rdx")
        out.append(f"mov {lo}, {t(2 * i)}")
        out.append(f"mov {hi}, {t(2 * i + 1)}")
        out.append(f"adcx {lo}, {lo}")
        out.append(f"adcx {hi}, {hi}")
        out.append(f"adox {lo}, rax")
        out.append(f"adox {hi}, rcx")
        out.append(f"mov {t(2 * i)}, {lo}")
        out.append(f"mov {t(2 * i + 1)}, {hi}")


def product(out, L):
    out.append("// Zero t.")
    out.append("xor eax, eax")
    for k in range(2 * L + 2):
        out.append(f"mov {t(k)}, rax")
    for b in range(L // 8):
        out.append(f"// 1. The product, band {b}: rows b_{8 * b}..b_{8 * b + 7} (copied to the stack).")
        out.append(f"mov rcx, [rsp + {BPTR}]")
        for r in range(8):
            out.append(f"mov rax, [rcx + {8 * (8 * b + r)}]")
            out.append(f"mov [rsp + {M + 8 * r}], rax")
        win = list(W)
        for k in range(8):
            out.append(f"mov {win[k]}, {t(8 * b + k)}")
        out.append("xor ebx, ebx")
        for j in range(L):
            win = step(out, win, 8, lambda r: f"[rsp + {M + 8 * r}]", f"[rsi + {8 * j}]", 8 * b + j + 8, 8 * b + j)
        for k in range(8):
            out.append(f"mov {t(8 * b + L + k)}, {win[k]}")
        out.append(f"mov {t(8 * b + L + 8)}, rbx")


def reduce(out, L):
    out.append("// 3. Montgomery reduction.")
    out.append(f"mov rsi, [rsp + {NPTR}]")
    for band in range(L // 8):
        base = 8 * band
        out.append(f"// Band {band}: rows {base}..{base + 8}.")
        win = list(W)
        for k in range(8):
            out.append(f"mov {win[k]}, {t(base + k)}")
        out.append("xor ebx, ebx")
        for r in range(8):
            # m_r = (bottom word) n0; IMUL leaves CF and OF undefined, and
            # XOR clears them again before the chains.
            out.append(f"mov rdx, {win[0]}")
            out.append(f"imul rdx, [rsp + {N0}]")
            out.append(f"mov [rsp + {M + 8 * r}], rdx")
            out.append("xor eax, eax")
            win = step(out, win, 8, lambda k: f"[rsi + {8 * k}]", None, base + r + 8, None)
        for j in range(8, L):
            win = step(out, win, 8, lambda k: f"[rsp + {M + 8 * k}]", f"[rsi + {8 * j}]", base + j + 8, base + j)
        for k in range(8):
            out.append(f"mov {t(base + L + k)}, {win[k]}")
        out.append(f"mov [rsp + {CARRY + 8 * band}], rbx")


def finish(out, L):
    bands = L // 8
    out.append("// 4. u = t[L..2L] plus the carries set aside, then the subtraction.")
    out.append(f"mov rbx, [rsp + {CARRY + 8 * (bands - 1)}]")
    for b in range(bands - 1):
        pos = 8 * b + L + 8
        out.append(f"mov rax, [rsp + {CARRY + 8 * b}]")
        out.append(f"add {t(pos)}, rax")
        for k in range(pos + 1, 2 * L):
            out.append(f"adc qword ptr {t(k)}, 0")
        out.append("adc rbx, 0")
    out.append(f"mov rcx, [rsp + {RPTR}]")
    for k in range(L):
        out.append(f"mov rax, {t(L + k)}")
        out.append(f"{'sub' if k == 0 else 'sbb'} rax, [rsi + {8 * k}]")
        out.append(f"mov [rcx + {8 * k}], rax")
    out.append("// Keep u (mask all ones) when it borrowed and the high word is 0.")
    out.append("sbb rax, rax")
    out.append("sub rbx, 1")
    out.append("and rax, rbx")
    for k in range(L):
        out.append(f"mov rdx, {t(L + k)}")
        out.append(f"mov r8, [rcx + {8 * k}]")
        out.append("xor rdx, r8")
        out.append("and rdx, rax")
        out.append("xor rdx, r8")
        out.append(f"mov [rcx + {8 * k}], rdx")
    out.append("// Wipe t and the multipliers.")
    out.append("xor eax, eax")
    for k in range(2 * L + 2):
        out.append(f"mov {t(k)}, rax")
    for k in range(8):
        out.append(f"mov [rsp + {M + 8 * k}], rax")


HEADER = '''\
//! Montgomery squares of 16-, 24- and 32-word values and products of 16-word
//! ones for the MULX/ADX backend: the primes of RSA-2048, -3072 and -4096
//! keys, and the RSA-2048 modulus. Generated by tools/gen_mont_sqr.py (which explains the method
//! and the carries); edit that script, not this file.

use core::arch::asm;
'''


def function(L, kind):
    t_off, frame = layout(L)
    lines = []
    if kind == "sqr":
        square(lines, L)
    else:
        product(lines, L)
    reduce(lines, L)
    finish(lines, L)
    if kind == "sqr":
        doc = f"""/// `r = a^2 / 2^{64 * L} mod n` for `a < n`, with `n0 = -n^-1 mod 2^64`.
/// Constant time: straight-line code."""
        sig = f"mont_sqr{L}(r: &mut [u64; {L}], a: &[u64; {L}], n: &[u64; {L}], n0: u64)"
        names = "r, a or n"
        extra_in = ""
        save_b = ""
    else:
        doc = f"""/// `r = a b / 2^{64 * L} mod n` for `a, b < n`, with `n0 = -n^-1 mod 2^64`.
/// Constant time: straight-line code."""
        sig = f"mont_mul{L}(r: &mut [u64; {L}], a: &[u64; {L}], b: &[u64; {L}], n: &[u64; {L}], n0: u64)"
        names = "r, a, b or n"
        extra_in = ""
        save_b = f"""            "mov [rsp + {BPTR}], r8",
"""
    out = [f'''
{doc}
#[target_feature(enable = "bmi2,adx")]
pub(super) unsafe fn {sig} {{
    // SAFETY: every memory access is at a fixed offset within {names} ({L}
    // words each), or within the {frame} bytes the block reserves below the
    // stack pointer (and wipes and releases before it ends). rbx and rbp,
    // which may not be operands, are saved on the stack and restored.
    unsafe {{
        asm!(
            "push rbx",
            "push rbp",
            "sub rsp, {frame}",
            "mov [rsp + {N0}], rcx",
            "mov [rsp + {RPTR}], rdi",
            "mov [rsp + {NPTR}], rdx",
{save_b}            "mov qword ptr [rsp + {ZERO}], 0",
            "lea rdi, [rsp + {t_off}]",
''']
    for line in lines:
        if line.startswith("//"):
            out.append(f"            {line}\n")
        else:
            out.append(f'            "{line}",\n')
    out.append(f'''            "add rsp, {frame}",
            "pop rbp",
            "pop rbx",
            inout("rdi") r.as_mut_ptr() => _,
            inout("rsi") a.as_ptr() => _,
            inout("rdx") n.as_ptr() => _,
            inout("rcx") n0 => _,
{extra_in}            out("rax") _,
            {'out("r8") _' if kind == "sqr" else 'inout("r8") b.as_ptr() => _'},
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r12") _,
            out("r13") _,
            out("r14") _,
            out("r15") _,
        );
    }}
}}
''')
    return "".join(out)


def main():
    with open("src/bigint/x86_64/sqr.rs", "w") as f:
        f.write(HEADER + function(16, "sqr") + function(24, "sqr") + function(32, "sqr") + function(16, "mul"))


if __name__ == "__main__":
    main()
