//! The wire form of [`Facts`]: versioned, dictionary-encoded, columns laid out for gzip/brotli.
//!
//! ```text
//! magic "OVFACTS\0", version u8
//! varint rows
//! varint provinces, each: varint length, UTF-8 code
//! varint communes, each: varint length, UTF-8 code, centroid lat u16 LE, lon u16 LE
//! then one section per column, each: varint byte length, bytes
//!   id, day        zigzag varint of the difference to the previous row (small when sorted)
//!   kind, sector, status, subject, discipline, province   one byte a row
//!   categories, commune                                   low-byte plane, then high-byte plane
//!   lat, lon       difference to the commune's centroid (wrapping, 16 bits), low then high plane
//!   amount         varint (millions of đồng; mostly 0, one byte)
//! ```
//! Decoding checks every length and value and never panics; unknown versions are refused.

use super::{Facts, FactsError, MAX_COMMUNES, MAX_PROVINCES, NO_COMMUNE};

/// The first bytes of every payload.
pub const MAGIC: &[u8; 8] = b"OVFACTS\0";
/// The format version this code writes and reads.
pub const VERSION: u8 = 1;

const MAX_CODE_LEN: usize = 64;

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn section(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn planes(values: impl Iterator<Item = u16> + Clone, n: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(2 * n);
    buf.extend(values.clone().map(|v| v as u8));
    buf.extend(values.map(|v| (v >> 8) as u8));
    buf
}

/// Per-commune mean of the quantized location, the base the locations are written against.
fn centroids(f: &Facts) -> Vec<(u16, u16)> {
    let mut sums = vec![(0u64, 0u64, 0u64); f.communes.len()];
    for i in 0..f.len() {
        if let Some(s) = sums.get_mut(f.commune[i] as usize) {
            s.0 += f.lat[i] as u64;
            s.1 += f.lon[i] as u64;
            s.2 += 1;
        }
    }
    sums.into_iter()
        .map(|(la, lo, n)| match n {
            0 => (0, 0),
            n => ((la / n) as u16, (lo / n) as u16),
        })
        .collect()
}

/// Encodes a table (its rows in their order; sort by id or day for the smallest payload).
/// The table should satisfy [`Facts::validate`]; out-of-range values are written as they are
/// and refused by [`decode`].
pub fn encode(f: &Facts) -> Vec<u8> {
    let n = f.len();
    let mut out = Vec::with_capacity(16 + n * 12);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    put_varint(&mut out, n as u64);
    let code = |out: &mut Vec<u8>, c: &str| {
        let c = &c.as_bytes()[..c.len().min(MAX_CODE_LEN)];
        put_varint(out, c.len() as u64);
        out.extend_from_slice(c);
    };
    let provinces = &f.provinces[..f.provinces.len().min(MAX_PROVINCES)];
    put_varint(&mut out, provinces.len() as u64);
    for p in provinces {
        code(&mut out, p);
    }
    let communes = &f.communes[..f.communes.len().min(MAX_COMMUNES)];
    let base = centroids(f);
    put_varint(&mut out, communes.len() as u64);
    for (c, (la, lo)) in communes.iter().zip(&base) {
        code(&mut out, c);
        out.extend_from_slice(&la.to_le_bytes());
        out.extend_from_slice(&lo.to_le_bytes());
    }
    let get = |col: &[u16], i: usize| col.get(i).copied().unwrap_or(0);
    let mut buf = Vec::with_capacity(n * 2);
    let mut prev = 0i64;
    for &id in &f.id {
        put_varint(&mut buf, zigzag(id as i64 - prev));
        prev = id as i64;
    }
    section(&mut out, &buf);
    buf.clear();
    prev = 0;
    for i in 0..n {
        let d = get(&f.day, i) as i64;
        put_varint(&mut buf, zigzag(d - prev));
        prev = d;
    }
    section(&mut out, &buf);
    for col in [&f.kind, &f.sector, &f.status, &f.subject, &f.discipline] {
        let bytes: Vec<u8> = (0..n).map(|i| col.get(i).copied().unwrap_or(0)).collect();
        section(&mut out, &bytes);
    }
    section(&mut out, &planes((0..n).map(|i| get(&f.categories, i)), n));
    let province: Vec<u8> = (0..n)
        .map(|i| f.province.get(i).copied().unwrap_or(0))
        .collect();
    section(&mut out, &province);
    let commune = |i: usize| f.commune.get(i).copied().unwrap_or(NO_COMMUNE);
    section(&mut out, &planes((0..n).map(commune), n));
    let centre = |i: usize| base.get(commune(i) as usize).copied().unwrap_or((0, 0));
    section(
        &mut out,
        &planes((0..n).map(|i| get(&f.lat, i).wrapping_sub(centre(i).0)), n),
    );
    section(
        &mut out,
        &planes((0..n).map(|i| get(&f.lon, i).wrapping_sub(centre(i).1)), n),
    );
    buf.clear();
    for i in 0..n {
        put_varint(&mut buf, f.amount.get(i).copied().unwrap_or(0) as u64);
    }
    section(&mut out, &buf);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FactsError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(FactsError::Truncated(what))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn varint(&mut self, what: &'static str) -> Result<u64, FactsError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .bytes
                .get(self.pos)
                .ok_or(FactsError::Truncated(what))?;
            self.pos += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(FactsError::invalid(what, "varint longer than 64 bits"))
    }

    fn count(&mut self, what: &'static str, max: usize) -> Result<usize, FactsError> {
        let v = self.varint(what)?;
        if v > max as u64 {
            return Err(FactsError::invalid(what, format!("{v} is more than {max}")));
        }
        Ok(v as usize)
    }

    fn code(&mut self, what: &'static str) -> Result<String, FactsError> {
        let len = self.count(what, MAX_CODE_LEN)?;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| FactsError::invalid(what, "not UTF-8"))
    }

    fn section(&mut self, what: &'static str) -> Result<Reader<'a>, FactsError> {
        let len = self.count(what, self.bytes.len())?;
        Ok(Reader {
            bytes: self.take(len, what)?,
            pos: 0,
        })
    }

    fn done(&self, what: &'static str) -> Result<(), FactsError> {
        match self.bytes.len() - self.pos {
            0 => Ok(()),
            extra => Err(FactsError::invalid(
                what,
                format!("{extra} bytes after its values"),
            )),
        }
    }
}

fn bytes_column(
    r: &mut Reader<'_>,
    what: &'static str,
    n: usize,
    limit: usize,
) -> Result<Vec<u8>, FactsError> {
    let s = r.section(what)?;
    if s.bytes.len() != n {
        return Err(FactsError::invalid(
            what,
            format!("{} bytes for {n} rows", s.bytes.len()),
        ));
    }
    if let Some(i) = s.bytes.iter().position(|&v| v as usize >= limit) {
        return Err(FactsError::invalid(
            what,
            format!("row {i}: value {} is not below {limit}", s.bytes[i]),
        ));
    }
    Ok(s.bytes.to_vec())
}

fn planes_column(r: &mut Reader<'_>, what: &'static str, n: usize) -> Result<Vec<u16>, FactsError> {
    let s = r.section(what)?;
    if s.bytes.len() != 2 * n {
        return Err(FactsError::invalid(
            what,
            format!("{} bytes for {n} rows", s.bytes.len()),
        ));
    }
    let (lo, hi) = s.bytes.split_at(n);
    Ok(lo
        .iter()
        .zip(hi)
        .map(|(&l, &h)| l as u16 | (h as u16) << 8)
        .collect())
}

fn delta_column(
    r: &mut Reader<'_>,
    what: &'static str,
    n: usize,
    max: i64,
) -> Result<Vec<i64>, FactsError> {
    let mut s = r.section(what)?;
    let mut out = Vec::with_capacity(n);
    let mut prev = 0i64;
    for i in 0..n {
        let d = unzigzag(s.varint(what)?);
        let v = prev
            .checked_add(d)
            .filter(|v| (0..=max).contains(v))
            .ok_or_else(|| FactsError::invalid(what, format!("row {i}: out of range")))?;
        out.push(v);
        prev = v;
    }
    s.done(what)?;
    Ok(out)
}

/// Decodes a payload written by [`encode`]; any malformed input is an error, never a panic.
pub fn decode(bytes: &[u8]) -> Result<Facts, FactsError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(MAGIC.len(), "header")
        .map_err(|_| FactsError::BadMagic)?
        != MAGIC
    {
        return Err(FactsError::BadMagic);
    }
    let version = r.take(1, "header")?[0];
    if version != VERSION {
        return Err(FactsError::UnsupportedVersion(version));
    }
    // Every row takes at least one byte in each of several sections: a count beyond the input
    // length is a lie, and refusing it bounds every allocation by the input's size.
    let n = r.count("rows", bytes.len())?;
    let np = r.count("provinces", MAX_PROVINCES)?;
    let mut provinces = Vec::with_capacity(np.min(bytes.len()));
    for _ in 0..np {
        provinces.push(r.code("provinces")?);
    }
    let nc = r.count("communes", MAX_COMMUNES)?;
    let mut communes = Vec::with_capacity(nc.min(bytes.len()));
    let mut base = Vec::with_capacity(nc.min(bytes.len()));
    for _ in 0..nc {
        communes.push(r.code("communes")?);
        let c = r.take(4, "communes")?;
        base.push((
            u16::from_le_bytes([c[0], c[1]]),
            u16::from_le_bytes([c[2], c[3]]),
        ));
    }
    let id = delta_column(&mut r, "id", n, u32::MAX as i64)?;
    let day = delta_column(&mut r, "day", n, u16::MAX as i64)?;
    use crate::vocab::*;
    let kind = bytes_column(&mut r, "kind", n, CaseKind::ALL.len())?;
    let sector = bytes_column(&mut r, "sector", n, Sector::ALL.len())?;
    let status = bytes_column(&mut r, "status", n, CaseStatus::ALL.len())?;
    let subject = bytes_column(&mut r, "subject", n, SubjectType::ALL.len())?;
    let discipline = bytes_column(&mut r, "discipline", n, DisciplineForm::ALL.len() + 1)?;
    let categories = planes_column(&mut r, "categories", n)?;
    let province = bytes_column(&mut r, "province", n, 256)?;
    let commune = planes_column(&mut r, "commune", n)?;
    let dlat = planes_column(&mut r, "lat", n)?;
    let dlon = planes_column(&mut r, "lon", n)?;
    let mut s = r.section("amount")?;
    let mut amount = Vec::with_capacity(n);
    for i in 0..n {
        let v = s.varint("amount")?;
        amount.push(u32::try_from(v).map_err(|_| {
            FactsError::invalid("amount", format!("row {i}: {v} is beyond 32 bits"))
        })?);
    }
    s.done("amount")?;
    if r.pos != bytes.len() {
        return Err(FactsError::TrailingBytes(bytes.len() - r.pos));
    }
    let centre = |c: u16| base.get(c as usize).copied().unwrap_or((0, 0));
    let f = Facts {
        provinces,
        communes,
        id: id.into_iter().map(|v| v as u32).collect(),
        day: day.into_iter().map(|v| v as u16).collect(),
        kind,
        sector,
        status,
        subject,
        discipline,
        lat: dlat
            .iter()
            .zip(&commune)
            .map(|(&d, &c)| d.wrapping_add(centre(c).0))
            .collect(),
        lon: dlon
            .iter()
            .zip(&commune)
            .map(|(&d, &c)| d.wrapping_add(centre(c).1))
            .collect(),
        categories,
        province,
        commune,
        amount,
    };
    f.validate()?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::synth;

    #[test]
    fn round_trip_keeps_every_value() {
        let f = synth::synthetic(5_000, 7);
        let bytes = encode(&f);
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(decode(&bytes).unwrap(), f);
    }

    #[test]
    fn empty_table_round_trips() {
        let f = Facts::default();
        assert_eq!(decode(&encode(&f)).unwrap(), f);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode(&synth::synthetic(300, 3));
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len]).is_err(), "truncated at {len}");
        }
    }

    #[test]
    fn garbage_and_corruption_never_panic() {
        let bytes = encode(&synth::synthetic(200, 11));
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3_000 {
            let mut b = bytes.clone();
            for _ in 0..1 + next() % 8 {
                let i = (next() as usize) % b.len();
                b[i] = next() as u8;
            }
            let _ = decode(&b);
            let len = (next() as usize) % 400;
            let garbage: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = decode(&garbage);
            let mut with_header = MAGIC.to_vec();
            with_header.push(VERSION);
            with_header.extend(&garbage);
            let _ = decode(&with_header);
        }
        assert_eq!(decode(b"nonsense"), Err(FactsError::BadMagic));
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert_eq!(decode(&v2), Err(FactsError::UnsupportedVersion(2)));
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decode(&long), Err(FactsError::TrailingBytes(1)));
    }

    #[test]
    fn huge_counts_are_refused_without_allocating() {
        let mut b = MAGIC.to_vec();
        b.push(VERSION);
        put_varint(&mut b, u64::MAX >> 1);
        assert!(matches!(decode(&b), Err(FactsError::Invalid { .. })));
    }

    #[test]
    fn zigzag_round_trips() {
        for v in [
            0i64,
            1,
            -1,
            63,
            -64,
            i64::from(u32::MAX),
            -(i64::from(u32::MAX)),
        ] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }
}
