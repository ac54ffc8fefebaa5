using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// The tests check the managed MD5 and the hash against the platform's MD5 and nasbench's own values.
[assembly: InternalsVisibleTo("GptNas.Core.Tests")]

namespace GptNas.Corpora.NasBench101;

/// <summary>
/// MD5 (RFC 1321) of a short message, without allocation. The cell hash runs about 50 MD5s per cell
/// over 1.3 million labelled graphs; a managed one-shot avoids the per-call cost of the platform's
/// native hashing and keeps the enumeration allocation-free. Checked against
/// <see cref="System.Security.Cryptography.MD5"/> in the tests.
/// </summary>
internal static class Md5
{
    /// <summary>The digest with its first byte most significant, so that comparing two digests as numbers
    /// orders them as their lowercase hex strings sort.</summary>
    public static UInt128 Hash(ReadOnlySpan<byte> data)
    {
        Span<uint> state = [0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u];
        var full = data.Length & ~63;
        for (var offset = 0; offset < full; offset += 64) Block(state, data.Slice(offset, 64));
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = data.Length - full;
        data[full..].CopyTo(tail);
        tail[rest] = 0x80;
        var length = rest + 9 <= 64 ? 64 : 128;
        BinaryPrimitives.WriteUInt64LittleEndian(tail[(length - 8)..], (ulong)data.Length * 8);
        Block(state, tail[..64]);
        if (length == 128) Block(state, tail[64..]);
        Span<byte> digest = stackalloc byte[16];
        for (var i = 0; i < 4; i++) BinaryPrimitives.WriteUInt32LittleEndian(digest[(4 * i)..], state[i]);
        return BinaryPrimitives.ReadUInt128BigEndian(digest);
    }

    // The 64 steps of RFC 1321 unrolled, with its constants K[i] = floor(|sin(i + 1)| * 2^32) written out.
    private static void Block(Span<uint> state, ReadOnlySpan<byte> block)
    {
        var w = MemoryMarshal.Cast<byte, uint>(block);
        uint m0 = Le(w[0]), m1 = Le(w[1]), m2 = Le(w[2]), m3 = Le(w[3]), m4 = Le(w[4]), m5 = Le(w[5]), m6 = Le(w[6]), m7 = Le(w[7]);
        uint m8 = Le(w[8]), m9 = Le(w[9]), m10 = Le(w[10]), m11 = Le(w[11]), m12 = Le(w[12]), m13 = Le(w[13]), m14 = Le(w[14]), m15 = Le(w[15]);
        uint a = state[0], b = state[1], c = state[2], d = state[3];
        a = b + BitOperations.RotateLeft(a + ((b & c) | (~b & d)) + 0xd76aa478u + m0, 7);
        d = a + BitOperations.RotateLeft(d + ((a & b) | (~a & c)) + 0xe8c7b756u + m1, 12);
        c = d + BitOperations.RotateLeft(c + ((d & a) | (~d & b)) + 0x242070dbu + m2, 17);
        b = c + BitOperations.RotateLeft(b + ((c & d) | (~c & a)) + 0xc1bdceeeu + m3, 22);
        a = b + BitOperations.RotateLeft(a + ((b & c) | (~b & d)) + 0xf57c0fafu + m4, 7);
        d = a + BitOperations.RotateLeft(d + ((a & b) | (~a & c)) + 0x4787c62au + m5, 12);
        c = d + BitOperations.RotateLeft(c + ((d & a) | (~d & b)) + 0xa8304613u + m6, 17);
        b = c + BitOperations.RotateLeft(b + ((c & d) | (~c & a)) + 0xfd469501u + m7, 22);
        a = b + BitOperations.RotateLeft(a + ((b & c) | (~b & d)) + 0x698098d8u + m8, 7);
        d = a + BitOperations.RotateLeft(d + ((a & b) | (~a & c)) + 0x8b44f7afu + m9, 12);
        c = d + BitOperations.RotateLeft(c + ((d & a) | (~d & b)) + 0xffff5bb1u + m10, 17);
        b = c + BitOperations.RotateLeft(b + ((c & d) | (~c & a)) + 0x895cd7beu + m11, 22);
        a = b + BitOperations.RotateLeft(a + ((b & c) | (~b & d)) + 0x6b901122u + m12, 7);
        d = a + BitOperations.RotateLeft(d + ((a & b) | (~a & c)) + 0xfd987193u + m13, 12);
        c = d + BitOperations.RotateLeft(c + ((d & a) | (~d & b)) + 0xa679438eu + m14, 17);
        b = c + BitOperations.RotateLeft(b + ((c & d) | (~c & a)) + 0x49b40821u + m15, 22);
        a = b + BitOperations.RotateLeft(a + ((d & b) | (~d & c)) + 0xf61e2562u + m1, 5);
        d = a + BitOperations.RotateLeft(d + ((c & a) | (~c & b)) + 0xc040b340u + m6, 9);
        c = d + BitOperations.RotateLeft(c + ((b & d) | (~b & a)) + 0x265e5a51u + m11, 14);
        b = c + BitOperations.RotateLeft(b + ((a & c) | (~a & d)) + 0xe9b6c7aau + m0, 20);
        a = b + BitOperations.RotateLeft(a + ((d & b) | (~d & c)) + 0xd62f105du + m5, 5);
        d = a + BitOperations.RotateLeft(d + ((c & a) | (~c & b)) + 0x02441453u + m10, 9);
        c = d + BitOperations.RotateLeft(c + ((b & d) | (~b & a)) + 0xd8a1e681u + m15, 14);
        b = c + BitOperations.RotateLeft(b + ((a & c) | (~a & d)) + 0xe7d3fbc8u + m4, 20);
        a = b + BitOperations.RotateLeft(a + ((d & b) | (~d & c)) + 0x21e1cde6u + m9, 5);
        d = a + BitOperations.RotateLeft(d + ((c & a) | (~c & b)) + 0xc33707d6u + m14, 9);
        c = d + BitOperations.RotateLeft(c + ((b & d) | (~b & a)) + 0xf4d50d87u + m3, 14);
        b = c + BitOperations.RotateLeft(b + ((a & c) | (~a & d)) + 0x455a14edu + m8, 20);
        a = b + BitOperations.RotateLeft(a + ((d & b) | (~d & c)) + 0xa9e3e905u + m13, 5);
        d = a + BitOperations.RotateLeft(d + ((c & a) | (~c & b)) + 0xfcefa3f8u + m2, 9);
        c = d + BitOperations.RotateLeft(c + ((b & d) | (~b & a)) + 0x676f02d9u + m7, 14);
        b = c + BitOperations.RotateLeft(b + ((a & c) | (~a & d)) + 0x8d2a4c8au + m12, 20);
        a = b + BitOperations.RotateLeft(a + (b ^ c ^ d) + 0xfffa3942u + m5, 4);
        d = a + BitOperations.RotateLeft(d + (a ^ b ^ c) + 0x8771f681u + m8, 11);
        c = d + BitOperations.RotateLeft(c + (d ^ a ^ b) + 0x6d9d6122u + m11, 16);
        b = c + BitOperations.RotateLeft(b + (c ^ d ^ a) + 0xfde5380cu + m14, 23);
        a = b + BitOperations.RotateLeft(a + (b ^ c ^ d) + 0xa4beea44u + m1, 4);
        d = a + BitOperations.RotateLeft(d + (a ^ b ^ c) + 0x4bdecfa9u + m4, 11);
        c = d + BitOperations.RotateLeft(c + (d ^ a ^ b) + 0xf6bb4b60u + m7, 16);
        b = c + BitOperations.RotateLeft(b + (c ^ d ^ a) + 0xbebfbc70u + m10, 23);
        a = b + BitOperations.RotateLeft(a + (b ^ c ^ d) + 0x289b7ec6u + m13, 4);
        d = a + BitOperations.RotateLeft(d + (a ^ b ^ c) + 0xeaa127fau + m0, 11);
        c = d + BitOperations.RotateLeft(c + (d ^ a ^ b) + 0xd4ef3085u + m3, 16);
        b = c + BitOperations.RotateLeft(b + (c ^ d ^ a) + 0x04881d05u + m6, 23);
        a = b + BitOperations.RotateLeft(a + (b ^ c ^ d) + 0xd9d4d039u + m9, 4);
        d = a + BitOperations.RotateLeft(d + (a ^ b ^ c) + 0xe6db99e5u + m12, 11);
        c = d + BitOperations.RotateLeft(c + (d ^ a ^ b) + 0x1fa27cf8u + m15, 16);
        b = c + BitOperations.RotateLeft(b + (c ^ d ^ a) + 0xc4ac5665u + m2, 23);
        a = b + BitOperations.RotateLeft(a + (c ^ (b | ~d)) + 0xf4292244u + m0, 6);
        d = a + BitOperations.RotateLeft(d + (b ^ (a | ~c)) + 0x432aff97u + m7, 10);
        c = d + BitOperations.RotateLeft(c + (a ^ (d | ~b)) + 0xab9423a7u + m14, 15);
        b = c + BitOperations.RotateLeft(b + (d ^ (c | ~a)) + 0xfc93a039u + m5, 21);
        a = b + BitOperations.RotateLeft(a + (c ^ (b | ~d)) + 0x655b59c3u + m12, 6);
        d = a + BitOperations.RotateLeft(d + (b ^ (a | ~c)) + 0x8f0ccc92u + m3, 10);
        c = d + BitOperations.RotateLeft(c + (a ^ (d | ~b)) + 0xffeff47du + m10, 15);
        b = c + BitOperations.RotateLeft(b + (d ^ (c | ~a)) + 0x85845dd1u + m1, 21);
        a = b + BitOperations.RotateLeft(a + (c ^ (b | ~d)) + 0x6fa87e4fu + m8, 6);
        d = a + BitOperations.RotateLeft(d + (b ^ (a | ~c)) + 0xfe2ce6e0u + m15, 10);
        c = d + BitOperations.RotateLeft(c + (a ^ (d | ~b)) + 0xa3014314u + m6, 15);
        b = c + BitOperations.RotateLeft(b + (d ^ (c | ~a)) + 0x4e0811a1u + m13, 21);
        a = b + BitOperations.RotateLeft(a + (c ^ (b | ~d)) + 0xf7537e82u + m4, 6);
        d = a + BitOperations.RotateLeft(d + (b ^ (a | ~c)) + 0xbd3af235u + m11, 10);
        c = d + BitOperations.RotateLeft(c + (a ^ (d | ~b)) + 0x2ad7d2bbu + m2, 15);
        b = c + BitOperations.RotateLeft(b + (d ^ (c | ~a)) + 0xeb86d391u + m9, 21);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
    }

    private static uint Le(uint word) => BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);

    /// <summary>Writes the digest as 32 lowercase hex digits (as Python's <c>hexdigest()</c>).</summary>
    public static void WriteHex(UInt128 digest, Span<byte> destination)
    {
        for (var i = 31; i >= 0; i--)
        {
            var nibble = (int)(digest & 0xF);
            destination[i] = (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            digest >>= 4;
        }
    }

    public static string ToHex(UInt128 digest)
    {
        Span<byte> hex = stackalloc byte[32];
        WriteHex(digest, hex);
        return System.Text.Encoding.ASCII.GetString(hex);
    }
}
