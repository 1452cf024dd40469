/*
 * fxn's runtime for wasm32 modules: the allocator that compiled predictors
 * call (malloc, free, aligned_alloc, and calloc, which LLVM makes of a
 * malloc followed by a zeroing memset) and the half-precision conversions
 * that LLVM calls for f16 (wasm has no f16 instructions), so that a .wasm
 * of fxn imports nothing.
 *
 * Compiled with clang-22 --target=wasm32 -nostdlib -ffreestanding at build
 * time (freestanding implies -fno-builtin: calloc's own malloc and memset
 * stay what they are), linked into every .wasm; the loader and the runner
 * allocate argument buffers through the exports fxn_malloc and fxn_free.
 *
 * Size classes with a free list each, over a bump region that memory.grow
 * extends. A block is a 16-byte header (its class, and a tag that free()
 * checks: a pointer that is not a block traps instead of corrupting the
 * heap) followed by the caller's bytes, 16-byte aligned. Class sizes are
 * 64 bytes, then four steps per power of two (80, 96, 112, 128, 160, ...):
 * a block wastes at most a quarter of its size. A freed block goes back to
 * its class's list, or, if it ends the bump region, back to the region.
 * Memory is never returned to the engine (wasm cannot shrink memory).
 *
 * NULL is returned, never a trap, when memory.grow fails (the engine's or
 * the page's memory limit) and for every request of 2**30 bytes or more:
 * with 32-bit indices, fxn-check-alloc-sizes turns a buffer size that
 * overflows into a request of 2**30 bytes, which must fail so that the
 * entry reports it (fxn_status) instead of writing past a small buffer.
 * Single-threaded, as wasm32 modules without shared memory are.
 */

typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uintptr_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;

#define HEADER 16u
#define PAGE 65536u
#define SMALLEST_CLASS_LOG2 6u /* the smallest block: 64 bytes */
#define CLASSES 100u           /* blocks up to 2**31 bytes */
#define LARGEST_REQUEST (1u << 30)
#define BLOCK_TAG 0xF7A110C5u
#define ALIGNED_TAG 0xF7A1A119u

extern unsigned char __heap_base; /* the end of data and stack, from wasm-ld */

typedef struct {
    uint32_t tag;       /* BLOCK_TAG, or ALIGNED_TAG for a pointer aligned_alloc moved */
    uint32_t value;     /* the class of a block; the distance back to its block for ALIGNED_TAG */
    uint32_t reserved[2];
} header;

static void *free_lists[CLASSES];
static uintptr_t heap_top; /* the first byte not handed out; 0 until the first allocation */
static uintptr_t heap_end; /* the end of linear memory */

static size_t class_size(uint32_t index) {
    uint32_t exponent = SMALLEST_CLASS_LOG2 + index / 4u;
    return (size_t)(4u + index % 4u) << (exponent - 2u);
}

/* The smallest class whose blocks hold `need` bytes (header included), need <= 2**31. */
static uint32_t class_of(size_t need) {
    if (need <= ((size_t)1 << SMALLEST_CLASS_LOG2))
        return 0;
    uint32_t exponent = 31u - (uint32_t)__builtin_clz((uint32_t)(need - 1)); /* 2**e <= need - 1 */
    uint32_t quarters = (uint32_t)((need - 1) >> (exponent - 2u));             /* 4 .. 7 */
    return (exponent - SMALLEST_CLASS_LOG2) * 4u + (quarters - 4u) + 1u;
}

/* Bytes [heap_top, heap_top + size) from the bump region, growing memory; 0 if the engine refuses. */
static uintptr_t take_from_region(size_t size) {
    if (heap_top == 0) {
        heap_top = ((uintptr_t)&__heap_base + HEADER - 1) & ~(uintptr_t)(HEADER - 1);
        heap_end = (uintptr_t)__builtin_wasm_memory_size(0) * PAGE;
    }
    uint64_t wanted_end = (uint64_t)heap_top + size;
    if (wanted_end > heap_end) {
        uint64_t pages = (wanted_end - heap_end + PAGE - 1) / PAGE;
        if (wanted_end > ((uint64_t)1 << 32) || __builtin_wasm_memory_grow(0, (size_t)pages) == (size_t)-1)
            return 0;
        heap_end += (uintptr_t)(pages * PAGE);
    }
    uintptr_t block = heap_top;
    heap_top += size;
    return block;
}

void *malloc(size_t size) {
    if (size >= LARGEST_REQUEST)
        return 0;
    uint32_t index = class_of(size + HEADER);
    header *block = free_lists[index];
    if (block) {
        free_lists[index] = *(void **)block;
    } else {
        block = (header *)take_from_region(class_size(index));
        if (!block)
            return 0;
    }
    block->tag = BLOCK_TAG;
    block->value = index;
    return (unsigned char *)block + HEADER;
}

void free(void *pointer) {
    if (!pointer)
        return;
    header *block = (header *)((unsigned char *)pointer - HEADER);
    if (block->tag == ALIGNED_TAG) {
        free((unsigned char *)pointer - block->value);
        return;
    }
    if (block->tag != BLOCK_TAG || block->value >= CLASSES)
        __builtin_trap(); /* not a block of this allocator, or freed twice */
    block->tag = 0;
    size_t size = class_size(block->value);
    if ((uintptr_t)block + size == heap_top) {
        heap_top = (uintptr_t)block;
        return;
    }
    *(void **)block = free_lists[block->value];
    free_lists[block->value] = block;
}

void *calloc(size_t count, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes))
        return 0;
    void *block = malloc(bytes);
    if (block)
        __builtin_memset(block, 0, bytes); /* memory.fill: a reused block is not zero */
    return block;
}

/* `size` bytes at a multiple of `alignment` (a power of two), which free() takes like any block. */
void *aligned_alloc(size_t alignment, size_t size) {
    if (alignment <= HEADER)
        return malloc(size);
    if (alignment & (alignment - 1) || alignment >= LARGEST_REQUEST || size >= LARGEST_REQUEST)
        return 0;
    unsigned char *raw = malloc(size + alignment);
    if (!raw)
        return 0;
    uintptr_t aligned = ((uintptr_t)raw + alignment - 1) & ~(uintptr_t)(alignment - 1);
    if (aligned != (uintptr_t)raw) { /* at least HEADER bytes further: room for a header pointing back */
        header *moved = (header *)(aligned - HEADER);
        moved->tag = ALIGNED_TAG;
        moved->value = (uint32_t)(aligned - (uintptr_t)raw);
    }
    return (void *)aligned;
}

/* What a host calls to place arguments in linear memory and release results. */
__attribute__((export_name("fxn_malloc"))) void *fxn_malloc(size_t size) { return malloc(size); }

__attribute__((export_name("fxn_free"))) void fxn_free(void *pointer) { free(pointer); }

/*
 * Half precision: LLVM converts f16 through these compiler-rt functions
 * (signatures as llc calls them on wasm32: the half's bits in an i32).
 * Exact: extension is exact; narrowing rounds to nearest, ties to even, to
 * infinity past 65520, to subnormals below 2**-14. A NaN keeps its sign and
 * the leading bits of its payload and comes out quiet, as compiler-rt's.
 */

static float float_of_bits(uint32_t bits) { return __builtin_bit_cast(float, bits); }

float __extendhfsf2(unsigned short half) {
    uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
    uint32_t exponent = (half >> 10) & 0x1fu, fraction = half & 0x3ffu;
    if (exponent == 0x1fu) /* infinity or NaN */
        return float_of_bits(sign | 0x7f800000u | fraction << 13);
    if (exponent)
        return float_of_bits(sign | (exponent + 112u) << 23 | fraction << 13);
    if (!fraction)
        return float_of_bits(sign);
    uint32_t shift = (uint32_t)__builtin_clz(fraction) - 21u; /* the leading 1 to bit 10 */
    return float_of_bits(sign | (113u - shift) << 23 | (fraction << shift & 0x3ffu) << 13);
}

/* The half nearest to |value| = significand * 2**(exponent - bias - fraction_bits) below 2**-14, in units of 2**-24. */
static uint32_t round_to_subnormal(uint64_t significand, uint32_t shift) {
    uint64_t quotient = significand >> shift, rest = significand & ((1ull << shift) - 1), tie = 1ull << (shift - 1);
    return (uint32_t)(quotient + (rest > tie || (rest == tie && (quotient & 1))));
}

unsigned short __truncsfhf2(float value) {
    uint32_t bits = __builtin_bit_cast(uint32_t, value);
    uint32_t sign = (bits >> 16) & 0x8000u, magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) /* NaN */
        return (unsigned short)(sign | 0x7e00u | (magnitude >> 13 & 0x3ffu));
    if (magnitude >= 0x477ff000u) /* 65520 and above round to infinity */
        return (unsigned short)(sign | 0x7c00u);
    if (magnitude >= 0x38800000u) { /* a normal half: round at bit 13, rebias the exponent */
        uint32_t rounded = magnitude + 0xfffu + (magnitude >> 13 & 1u);
        return (unsigned short)(sign | (rounded - 0x38000000u) >> 13);
    }
    if (magnitude <= 0x33000000u) /* 2**-25 and below round to zero (2**-25 is a tie, to even) */
        return (unsigned short)sign;
    uint32_t exponent = magnitude >> 23;
    return (unsigned short)(sign | round_to_subnormal((magnitude & 0x7fffffu) | 0x800000u, 126u - exponent));
}

unsigned short __truncdfhf2(double value) {
    uint64_t bits = __builtin_bit_cast(uint64_t, value);
    uint32_t sign = (uint32_t)(bits >> 48) & 0x8000u;
    uint64_t magnitude = bits & 0x7fffffffffffffffull;
    if (magnitude > 0x7ff0000000000000ull) /* NaN */
        return (unsigned short)(sign | 0x7e00u | (uint32_t)(magnitude >> 42 & 0x3ffu));
    if (magnitude >= 0x40effe0000000000ull) /* 65520 and above round to infinity */
        return (unsigned short)(sign | 0x7c00u);
    if (magnitude >= 0x3f10000000000000ull) { /* a normal half: round at bit 42, rebias the exponent */
        uint64_t rounded = magnitude + 0x1ffffffffffull + (magnitude >> 42 & 1u);
        return (unsigned short)(sign | (uint32_t)((rounded - 0x3f00000000000000ull) >> 42));
    }
    if (magnitude <= 0x3e60000000000000ull) /* 2**-25 and below round to zero */
        return (unsigned short)sign;
    uint32_t exponent = (uint32_t)(magnitude >> 52);
    return (unsigned short)(sign | round_to_subnormal((magnitude & 0xfffffffffffffull) | 0x10000000000000ull,
                                                      1051u - exponent)); /* units of 2**-24 */
}
