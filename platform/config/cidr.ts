import * as ipaddr from "ipaddr.js";

/** An IPv4 block as its first address (a 32-bit unsigned integer) and its prefix length. */
export interface Ipv4Block {
    readonly base: number;
    readonly prefix: number;
}

/**
 * Parses a canonical IPv4 CIDR such as `10.0.0.0/16`. Returns undefined for anything else,
 * including a block whose address has host bits set (`10.0.0.1/16`), which AWS rejects.
 */
export function parseIpv4Cidr(cidr: string): Ipv4Block | undefined {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) return undefined;
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(cidr);
    } catch {
        return undefined;
    }
    const [address, prefix] = parsed;
    if (address.kind() !== "ipv4" || !ipaddr.IPv4.isValidFourPartDecimal(cidr.split("/")[0])) return undefined;
    const base = toUint32((address as ipaddr.IPv4).octets);
    if (base % blockSize(prefix) !== 0) return undefined;
    return { base, prefix };
}

/** Number of addresses in a block of the given prefix length. */
export function blockSize(prefix: number): number {
    return 2 ** (32 - prefix);
}

/** The `index`-th block of `prefix` length counted from `offset` addresses into `parent`. */
export function carve(parent: Ipv4Block, offset: number, prefix: number, index: number): string {
    const base = parent.base + offset + index * blockSize(prefix);
    return `${formatUint32(base)}/${prefix}`;
}

function toUint32(octets: number[]): number {
    return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

function formatUint32(value: number): string {
    return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join(".");
}
