//! The kernelspec logos, drawn in code so the repository holds no binary files and every
//! install writes byte-identical PNGs.
//!
//! The picture: three white nodes joined by links on a Rust-orange disc (a tiny distributed
//! system). The PNG writer is minimal: 8-bit RGBA, one IDAT chunk holding a zlib stream of
//! *stored* (uncompressed) deflate blocks, which every PNG reader accepts; 64x64 is 16 KiB.

/// A size-by-size RGBA PNG of the logo.
pub fn logo_png(size: u32) -> Vec<u8> {
    let pixels = draw(size);
    encode_png(size, size, &pixels)
}

const ORANGE: [f32; 3] = [206.0, 66.0, 43.0];
const WHITE: [f32; 3] = [255.0, 255.0, 255.0];

/// Returns RGBA rows, each pixel anti-aliased by its distance to the shapes' edges.
fn draw(size: u32) -> Vec<u8> {
    let s = size as f32;
    let nodes = [(0.5, 0.25), (0.27, 0.68), (0.73, 0.68)].map(|(x, y)| (x * s, y * s));
    let (node_r, link_w, disc_r) = (0.1 * s, 0.035 * s, 0.48 * s);
    let mut out = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let p = (x as f32 + 0.5, y as f32 + 0.5);
            let disc = coverage(dist(p, (s / 2.0, s / 2.0)) - disc_r);
            let on_node = nodes.iter().map(|&n| coverage(dist(p, n) - node_r)).fold(0.0, f32::max);
            let on_link =
                (0..3).map(|i| coverage(segment_dist(p, nodes[i], nodes[(i + 1) % 3]) - link_w)).fold(0.0, f32::max);
            let white = on_node.max(on_link);
            let rgb: Vec<u8> = (0..3).map(|c| (ORANGE[c] + (WHITE[c] - ORANGE[c]) * white).round() as u8).collect();
            out.extend_from_slice(&rgb);
            out.push((disc * 255.0).round() as u8);
        }
    }
    out
}

/// 1 inside a shape, 0 outside, linear across one pixel at the edge (`signed` is the signed distance).
fn coverage(signed: f32) -> f32 {
    (0.5 - signed).clamp(0.0, 1.0)
}

fn dist(a: (f32, f32), b: (f32, f32)) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

fn segment_dist(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    dist(p, (a.0 + t * dx, a.1 + t * dy))
}

/// Encodes RGBA pixels (row-major) as a PNG.
pub fn encode_png(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(rgba.len() + height as usize);
    for row in rgba.chunks(width as usize * 4) {
        raw.push(0); // filter type 0: None
        raw.extend_from_slice(row);
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit, RGBA, deflate, standard filters, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored deflate blocks (at most 65535 bytes each).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() { vec![&[]] } else { data.chunks(0xFFFF).collect() };
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len())); // BFINAL on the last, BTYPE 00 (stored)
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// CRC-32 (ISO-HDLC, the PNG and zip checksum), bit by bit: logos are tiny.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Adler-32, the zlib checksum.
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}
