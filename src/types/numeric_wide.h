/*
 * types/numeric_wide.h - 256-bit unsigned integers for NUMERIC intermediates
 * (private to types/: numeric.c and its test).
 *
 * A product of two 38-digit coefficients, or a coefficient shifted by up to
 * 38 decimal places, needs up to 77 digits; 2^256 is about 1.16e77, so every
 * intermediate strata forms fits. Division is binary long division: simple,
 * and only on the slow paths (the fast paths use __int128 directly).
 */
#ifndef STRATA_TYPES_NUMERIC_WIDE_H
#define STRATA_TYPES_NUMERIC_WIDE_H

#include <stdbool.h>

typedef unsigned __int128 u128;

typedef struct U256 {
    u128 hi;
    u128 lo;
} U256;

static inline U256 u256_from(u128 v)
{
    U256 r = {0, v};
    return r;
}
static inline bool u256_is_zero(U256 a)
{
    return a.hi == 0 && a.lo == 0;
}

static inline int u256_cmp(U256 a, U256 b)
{
    if (a.hi != b.hi) {
        return a.hi < b.hi ? -1 : 1;
    }
    return a.lo < b.lo ? -1 : (a.lo > b.lo ? 1 : 0);
}

static inline U256 u256_add(U256 a, U256 b)
{
    U256 r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo ? 1 : 0);
    return r;
}

/* a - b, a >= b. */
static inline U256 u256_sub(U256 a, U256 b)
{
    U256 r;
    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo ? 1 : 0);
    return r;
}

/* Full 128 x 128 -> 256 product. */
static inline U256 u256_mul128(u128 a, u128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
    uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    u128 p00 = (u128)a0 * b0, p01 = (u128)a0 * b1, p10 = (u128)a1 * b0, p11 = (u128)a1 * b1;
    u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    U256 r;
    r.lo = (p00 & UINT64_MAX) | (mid << 64);
    r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    return r;
}

/* a * b where the product is known to fit in 256 bits (b < 2^128). */
static inline U256 u256_mul(U256 a, u128 b)
{
    U256 low = u256_mul128(a.lo, b);
    U256 high = u256_mul128(a.hi, b);
    low.hi += high.lo;
    return low;
}

/* True if a * b would not fit in 256 bits. */
static inline bool u256_mul_overflows(U256 a, u128 b)
{
    if (a.hi == 0) {
        return false;
    }
    U256 high = u256_mul128(a.hi, b);
    if (high.hi != 0) {
        return true;
    }
    U256 low = u256_mul128(a.lo, b);
    return low.hi + high.lo < low.hi;
}

static inline int u256_top_bit(U256 a)
{
    if (a.hi != 0) {
        uint64_t w = (uint64_t)(a.hi >> 64);
        return w != 0 ? 255 - __builtin_clzll(w) : 191 - __builtin_clzll((uint64_t)a.hi);
    }
    if (a.lo == 0) {
        return -1;
    }
    uint64_t w = (uint64_t)(a.lo >> 64);
    return w != 0 ? 127 - __builtin_clzll(w) : 63 - __builtin_clzll((uint64_t)a.lo);
}

/* quotient and remainder of n / d, d != 0. */
static inline void u256_divmod(U256 n, U256 d, U256 *quotient, U256 *remainder)
{
    if (n.hi == 0 && d.hi == 0) {
        *quotient = u256_from(n.lo / d.lo);
        *remainder = u256_from(n.lo % d.lo);
        return;
    }
    U256 q = {0, 0}, r = {0, 0};
    for (int bit = u256_top_bit(n); bit >= 0; bit--) {
        bool carry = (r.hi >> 127) != 0;
        r.hi = (r.hi << 1) | (r.lo >> 127);
        r.lo <<= 1;
        u128 nbit = bit >= 128 ? (n.hi >> (bit - 128)) & 1 : (n.lo >> bit) & 1;
        r.lo |= nbit;
        if (carry || u256_cmp(r, d) >= 0) {
            r = u256_sub(r, d); /* wraps correctly when carry is set */
            if (bit >= 128) {
                q.hi |= (u128)1 << (bit - 128);
            } else {
                q.lo |= (u128)1 << bit;
            }
        }
    }
    *quotient = q;
    *remainder = r;
}

#endif
