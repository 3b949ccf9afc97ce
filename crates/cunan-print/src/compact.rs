//! Makes a saved PDF smaller without changing what it shows: the glyph
//! widths (`/W`) of each embedded CID font are written only where they differ
//! from the default width of 1000 (every ideograph), and the small objects
//! (font dictionaries, page dictionaries, metadata) go into a compressed
//! object stream (PDF 1.5), and the embedded TrueType programs lose the
//! tables a PDF reader does not use for a CID font drawn by glyph id
//! (`name`, `post`, `cmap`; ISO 32000-1, 9.9: text extraction goes through
//! `/ToUnicode`). The response card drops by about 5 KB.
//!
//! Anything this code does not recognise is left as printpdf made it: this
//! is an optimisation, never a reason not to print.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, Stream};

/// Default glyph width of the CJK fonts, in thousandths of an em.
const DEFAULT_WIDTH: i64 = 1000;

/// Makes `doc` (straight from printpdf, streams not yet compressed) smaller
/// in place; then compresses every stream.
pub fn compact(doc: &mut Document) {
    for object in doc.objects.values_mut() {
        if let Object::Stream(stream) = object {
            if stream.dict.has(b"Length1") {
                slim_font_program(stream);
            }
            continue;
        }
        let Ok(dict) = object.as_dict_mut() else {
            continue;
        };
        if let Ok(descendants) = dict
            .get_mut(b"DescendantFonts")
            .and_then(Object::as_array_mut)
        {
            for d in descendants.iter_mut() {
                if let Ok(cid_font) = d.as_dict_mut() {
                    compact_widths(cid_font);
                }
            }
        }
        if dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"CIDFontType2")
        {
            compact_widths(dict);
        }
    }
    doc.compress();
    // Object streams need PDF 1.5.
    if doc.version.as_str() < "1.5" {
        doc.version = "1.5".to_owned();
    }
}

/// Saves `doc` with its small objects in a compressed object stream.
pub fn save(doc: &mut Document) -> Result<Vec<u8>, lopdf::Error> {
    let mut out = Vec::new();
    doc.save_modern(&mut out)?;
    Ok(out)
}

fn number(o: &Object) -> Option<i64> {
    o.as_i64()
        .ok()
        .or_else(|| o.as_float().ok().map(|f| f.round() as i64))
}

/// Rewrites `/W` of a CID font dictionary with `/DW 1000`, listing only the
/// glyphs whose width differs, as runs `c [w1 w2 …]`.
fn compact_widths(font: &mut Dictionary) {
    let Ok(w) = font.get(b"W").and_then(Object::as_array) else {
        return;
    };
    let mut widths: BTreeMap<i64, i64> = BTreeMap::new();
    let mut i = 0;
    while i < w.len() {
        let Some(first) = number(&w[i]) else { return };
        match w.get(i + 1) {
            Some(Object::Array(list)) => {
                for (k, o) in list.iter().enumerate() {
                    let Some(v) = number(o) else { return };
                    widths.insert(first + k as i64, v);
                }
                i += 2;
            }
            Some(o) => {
                let (Some(last), Some(v)) = (number(o), w.get(i + 2).and_then(number)) else {
                    return;
                };
                for c in first..=last {
                    widths.insert(c, v);
                }
                i += 3;
            }
            None => return,
        }
    }
    if let Ok(dw) = font.get(b"DW").and_then(|o| o.as_i64()) {
        if dw != DEFAULT_WIDTH {
            return; // Not the layout we know; leave it alone.
        }
    }
    let mut out: Vec<Object> = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start = 0;
    let mut next = i64::MIN;
    for (&cid, &width) in widths.iter().filter(|(_, &v)| v != DEFAULT_WIDTH) {
        if cid != next && !run.is_empty() {
            out.push(Object::Integer(run_start));
            out.push(Object::Array(std::mem::take(&mut run)));
        }
        if run.is_empty() {
            run_start = cid;
        }
        run.push(Object::Integer(width));
        next = cid + 1;
    }
    if !run.is_empty() {
        out.push(Object::Integer(run_start));
        out.push(Object::Array(run));
    }
    font.set("DW", Object::Integer(DEFAULT_WIDTH));
    font.set("W", Object::Array(out));
}

/// Tables an embedded CID TrueType font program does not need.
const UNUSED_TABLES: [&[u8; 4]; 3] = [b"name", b"post", b"cmap"];

/// Drops [`UNUSED_TABLES`] from a `/FontFile2` stream (left untouched if it
/// is not a TrueType program this code understands).
fn slim_font_program(stream: &mut Stream) {
    let Ok(font) = stream.get_plain_content() else {
        return;
    };
    let Some(slim) = drop_tables(&font, &UNUSED_TABLES) else {
        return;
    };
    let length1 = slim.len() as i64;
    stream.set_plain_content(slim);
    stream.dict.set("Length1", Object::Integer(length1));
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// An sfnt (TrueType) font without the tables in `drop`, or `None` if `font`
/// is not a well-formed TrueType file.
fn drop_tables(font: &[u8], drop: &[&[u8; 4]]) -> Option<Vec<u8>> {
    if be32(font, 0)? != 0x0001_0000 {
        return None;
    }
    let count = usize::from(be16(font, 4)?);
    let mut keep: Vec<([u8; 4], u32, &[u8])> = Vec::with_capacity(count);
    for i in 0..count {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let checksum = be32(font, rec + 4)?;
        let offset = be32(font, rec + 8)? as usize;
        let length = be32(font, rec + 12)? as usize;
        let data = font.get(offset..offset.checked_add(length)?)?;
        if !drop.contains(&&tag) {
            keep.push((tag, checksum, data));
        }
    }
    if keep.len() == count {
        return None;
    }
    let n = keep.len() as u16;
    let mut power = 1u16;
    let mut selector = 0u16;
    while power * 2 <= n {
        power *= 2;
        selector += 1;
    }
    let search_range = power * 16;
    let mut out = Vec::with_capacity(font.len());
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&search_range.to_be_bytes());
    out.extend_from_slice(&selector.to_be_bytes());
    out.extend_from_slice(&(n * 16 - search_range).to_be_bytes());
    let mut offset = 12 + 16 * keep.len();
    let mut body = Vec::new();
    for (tag, checksum, data) in &keep {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        let padded = data.len().next_multiple_of(4);
        body.resize(body.len() + padded - data.len(), 0);
        offset += padded;
    }
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_tables_keeps_the_others_intact() {
        // A tiny sfnt with three tables: head (4 bytes), name (3), glyf (5).
        let tables: [(&[u8; 4], &[u8]); 3] =
            [(b"glyf", b"GGGGG"), (b"head", b"HHHH"), (b"name", b"NNN")];
        let mut font = vec![0, 1, 0, 0, 0, 3, 0, 32, 0, 1, 0, 16];
        let mut offset = 12 + 16 * 3;
        let mut body = Vec::new();
        for (tag, data) in tables {
            font.extend_from_slice(tag);
            font.extend_from_slice(&7u32.to_be_bytes());
            font.extend_from_slice(&(offset as u32).to_be_bytes());
            font.extend_from_slice(&(data.len() as u32).to_be_bytes());
            body.extend_from_slice(data);
            let pad = data.len().next_multiple_of(4) - data.len();
            body.extend(std::iter::repeat_n(0, pad));
            offset += data.len() + pad;
        }
        font.extend_from_slice(&body);
        let slim = drop_tables(&font, &[b"name"]).expect("well-formed");
        assert_eq!(be16(&slim, 4), Some(2));
        let glyf_at = be32(&slim, 12 + 8).expect("offset") as usize;
        assert_eq!(&slim[glyf_at..glyf_at + 5], b"GGGGG");
        let head_at = be32(&slim, 28 + 8).expect("offset") as usize;
        assert_eq!(&slim[head_at..head_at + 4], b"HHHH");
        assert_eq!(drop_tables(&slim, &[b"name"]), None, "nothing to drop");
        assert_eq!(drop_tables(b"OTTO", &[b"name"]), None);
    }
}
