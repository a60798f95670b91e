#!/usr/bin/env python3
"""Derive motcua's shipped reference data (data/units, data/catalogue) from ../shared/data.

Usage:  python3 tools/derive-data.py [--shared /work/shared/data] [--out data]

The output is deterministic (same input, same bytes) and is committed to the repository:
a fresh clone has no ../shared, so the product reads only data/. Every heuristic used here
is documented in data/units/README.md and data/catalogue/README.md; change both together.

Standard library only (Python 3.9+).
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import re
import sys
import unicodedata
from pathlib import Path


def nfc(s: str) -> str:
    """NFC-normalise and trim; sources mix precomposed and decomposed forms."""
    return unicodedata.normalize("NFC", s).strip()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write a CSV file with LF line ends and minimal quoting (the layout the Rust codec emits)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def js(value) -> str:
    """Compact JSON exactly as serde_json::to_string writes it (no spaces, UTF-8 kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Administrative units
# ---------------------------------------------------------------------------------------------

# dvhcvn's 1 July 2025 snapshot used two commune codes that GSO changed afterwards; the current
# list (thanglequoc, 2026) carries the new codes. See shared/data/README.md, "Caveats".
SNAPSHOT_CODE_FIXES = {"06970": "06978", "23737": "23938"}

COMMUNE_TYPES = {"Xã": "xa", "Phường": "phuong", "Đặc khu": "dac_khu", "Thị trấn": "thi_tran"}
PROVINCE_TYPES = {"Tỉnh": "tinh", "Thành phố": "thanh_pho"}


MINISTRIES = [
    ("BQP", "Bộ Quốc phòng", "Ministry of National Defence"),
    ("BCA", "Bộ Công an", "Ministry of Public Security"),
    ("BNG", "Bộ Ngoại giao", "Ministry of Foreign Affairs"),
    ("BNV", "Bộ Nội vụ", "Ministry of Home Affairs"),
    ("BTP", "Bộ Tư pháp", "Ministry of Justice"),
    ("BTC", "Bộ Tài chính", "Ministry of Finance"),
    ("BCT", "Bộ Công Thương", "Ministry of Industry and Trade"),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment"),
    ("BXD", "Bộ Xây dựng", "Ministry of Construction"),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "Ministry of Culture, Sports and Tourism"),
    ("BKHCN", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology"),
    ("BGDDT", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training"),
    ("BYT", "Bộ Y tế", "Ministry of Health"),
    ("BDTTG", "Bộ Dân tộc và Tôn giáo", "Ministry of Ethnic and Religious Affairs"),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", "State Bank of Vietnam"),
    ("TTCP", "Thanh tra Chính phủ", "Government Inspectorate"),
    ("VPCP", "Văn phòng Chính phủ", "Office of the Government"),
    ("TANDTC", "Tòa án nhân dân tối cao", "Supreme People's Court"),
]


def derive_units(src: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)

    provinces = read_csv(src / "admin-units-2025-provinces.csv")
    rows = []
    for p in provinces:
        rows.append([
            p["province_code"], nfc(p["name"]), nfc(p["name_en"]),
            PROVINCE_TYPES[nfc(p["unit_type"])], p["formed_from_old_codes"],
        ])
    write_csv(out / "provinces.csv", ["code", "name", "name_en", "type", "formed_from"], rows)

    communes = read_csv(src / "admin-units-2025-communes.csv")
    rows = []
    for c in communes:
        rows.append([c["commune_code"], nfc(c["name"]), nfc(c["name_en"]),
                     COMMUNE_TYPES[nfc(c["unit_type"])], c["province_code"]])
    write_csv(out / "communes.csv", ["code", "name", "name_en", "type", "province_code"], rows)

    pre = read_csv(src / "admin-units-pre2025.csv")
    old_provinces: dict[str, str] = {}
    old_districts: dict[str, tuple[str, str]] = {}
    old_communes: dict[str, tuple[str, str, str, str]] = {}
    for r in pre:
        old_provinces.setdefault(r["province_code"], nfc(r["province_name"]))
        old_districts.setdefault(r["district_code"], (nfc(r["district_name"]), r["province_code"]))
        if r["commune_code"]:
            old_communes[r["commune_code"]] = (
                nfc(r["commune_name"]), COMMUNE_TYPES[nfc(r["commune_type"])],
                r["district_code"], r["province_code"])

    merges = read_csv(src / "admin-units-2025-merges.csv")
    # Old communes named only by the merges file (the two sources differ slightly in date).
    for m in merges:
        code = m["old_commune_code"]
        if len(code) == 5 and code not in old_communes:
            name = nfc(m["old_commune_name"])
            kind = next((v for k, v in COMMUNE_TYPES.items() if name.startswith(k + " ")), None)
            if kind is None:
                sys.exit(f"cannot type old commune {code} {name!r}")
            old_communes[code] = (name, kind, m["old_district_code"], m["old_province_code"])

    write_csv(out / "provinces-pre2025.csv", ["code", "full_name"],
              [[k, v] for k, v in sorted(old_provinces.items())])
    write_csv(out / "districts-pre2025.csv", ["code", "full_name", "province_code"],
              [[k, n, p] for k, (n, p) in sorted(old_districts.items())])
    write_csv(out / "communes-pre2025.csv", ["code", "full_name", "type", "district_code", "province_code"],
              [[k, n, t, d, p] for k, (n, t, d, p) in sorted(old_communes.items())])

    current_codes = {c["commune_code"] for c in communes}
    rows = []
    for m in merges:
        new = SNAPSHOT_CODE_FIXES.get(m["new_commune_code"], m["new_commune_code"])
        if new not in current_codes:
            sys.exit(f"merge target {new} is not a current commune")
        rows.append([new, m["old_commune_code"], m["merge_type"]])
    rows.sort(key=lambda r: (r[0], r[1]))
    write_csv(out / "commune-merges-2025.csv", ["new_code", "old_code", "share"], rows)

    # Not derived from ../shared: the Government's ministries and ministry-level agencies after
    # Resolution 176/2025/QH15 (🔶 background knowledge, see data/units/README.md), plus the
    # Supreme People's Court, which publishes procedures too. Codes are the abbreviations the
    # bodies use in their decision numbers (e.g. 163/QĐ-BTP); DVCQG's own G-codes are unknown.
    write_csv(out / "ministries.csv", ["code", "name", "name_en"], [list(m) for m in MINISTRIES])

    agencies = read_csv(src / "dvcqg-province-agency-codes.csv")
    write_csv(out / "dvcqg-province-agency-codes.csv", ["dvcqg_code", "province_code", "portal_name"],
              [[a["dvcqg_department_code"], a["province_code_2025"], nfc(a["dvcqg_department_name"])]
               for a in agencies])


# ---------------------------------------------------------------------------------------------
# Procedure catalogue
# ---------------------------------------------------------------------------------------------

LEVELS = {"cấp bộ": "ministry", "cấp tỉnh": "province", "cấp xã": "commune", "cơ quan khác": "other"}

CHANNELS = {"Trực tiếp": "in_person", "Trực tuyến": "online", "Dịch vụ bưu chính": "postal"}
CHANNEL_ORDER = ["in_person", "online", "postal"]

TIME_UNITS = {"Ngày làm việc": "working_days", "Ngày": "days", "Giờ": "working_hours", "Tháng": "months"}

APPLICANTS = {
    "Công dân Việt Nam": "citizen",
    "Người Việt Nam định cư ở nước ngoài": "overseas_vietnamese",
    "Người nước ngoài": "foreigner",
    "Người nước ngoài cư trú tại Việt Nam": "foreigner",
    "Doanh nghiệp": "business",
    "Doanh nghiệp Việt Nam": "business",
    "Doanh nghiệp có vốn đầu tư nước ngoài": "foreign_invested_business",
    "Hợp tác xã": "cooperative",
    "Tổ chức (không bao gồm doanh nghiệp, HTX)": "organisation",
    "Tổ chức nước ngoài": "foreign_organisation",
    "Cán bộ, công chức, viên chức": "public_servant",
    "Đảng viên": "party_member",
    "Tổ chức Đảng": "party_organisation",
}
APPLICANT_ORDER = [
    "citizen", "overseas_vietnamese", "foreigner", "business", "foreign_invested_business",
    "cooperative", "organisation", "foreign_organisation", "public_servant", "party_member",
    "party_organisation",
]

FEE_NAME = "Phí, lệ phí"
AMOUNT = re.compile(r"(\d[\d.,]*)\s*(?:Việt Nam Đồng|VNĐ|đồng|Đồng|đ\b)")


def ordered(values, order):
    return [v for v in order if v in set(values)]


def esc(item: str) -> str:
    """Escape one item of a `|`-separated cell: backslash and bar get a backslash."""
    return item.replace("\\", "\\\\").replace("|", "\\|")


def multi(items) -> str:
    return "|".join(esc(i) for i in items)


def levels_of(text: str) -> list[str]:
    out = []
    for part in text.split(","):
        key = nfc(part).lower()
        if key not in LEVELS:
            sys.exit(f"unknown level {part!r}")
        out.append(LEVELS[key])
    return ordered(out, ["ministry", "province", "commune", "other"])


def applicants_of(text: str) -> list[str]:
    text = nfc(text).replace("Cán bộ, công chức, viên chức", "CBCCVC")
    out = []
    for part in re.split(r", (?![^()]*\))", text):
        part = "Cán bộ, công chức, viên chức" if part == "CBCCVC" else part.strip()
        if not part:
            continue
        if part not in APPLICANTS:
            sys.exit(f"unknown applicant type {part!r}")
        out.append(APPLICANTS[part])
    return ordered(out, APPLICANT_ORDER)


def time_value(text: str) -> str | None:
    """'07' -> '7', '1.5' -> '1.5'; None for zero, empty or anything but whole or half units."""
    text = text.strip()
    m = re.fullmatch(r"(\d+)(?:[.,](5|0))?", text)
    if not m:
        return None
    whole = int(m.group(1))
    half = m.group(2) == "5"
    if whole == 0 and not half:
        return None
    return f"{whole}.5" if half else str(whole)


def amount(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def fees_from_summary(summary: str) -> str:
    summary = nfc(summary)
    if summary == "":
        return ""
    if summary == "Miễn phí":
        return "free"
    amounts = [amount(m.group(1)) for m in AMOUNT.finditer(summary)]
    fee = {"name": FEE_NAME}
    if amounts:
        fee["amount_vnd"] = amounts[0]
    if len(set(amounts)) != 1:
        # Several amounts (or none): keep the portal's text so nothing is silently lost.
        fee["note"] = summary
    return js([fee])


COMPONENT_HEADER = "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"
COMPONENT_ITEM = re.compile(r"(.+?)(\d+) bản chính(?:,(\d+) bản sao)?", re.S)


def clean_component_name(name: str) -> str:
    name = nfc(name)
    name = re.sub(r"^[-+•\s]+", "", name)
    name = re.sub(r"[;\s]+$", "", name)
    return name


def is_required(name: str) -> bool:
    # "(nếu có)" = "if any": the document is only needed in some cases.
    return "nếu có" not in name.lower()


def components_from_flat(text: str) -> list[dict] | None:
    """Parse the crawler's flattened component table; None unless the whole text parses cleanly.

    Accepted only when there is exactly one table header, every item ends with
    "N bản chính[,M bản sao]", no item carries a form file name (the file name is glued to
    the document name with no separator) and no count has two digits (a name ending in a
    digit would be ambiguous).
    """
    if not text.startswith(COMPONENT_HEADER) or text.count("Tên giấy tờ") != 1:
        return None
    body = text[len(COMPONENT_HEADER):]
    pos = 0
    items = []
    for m in COMPONENT_ITEM.finditer(body):
        if m.start() != pos:
            return None
        name, orig, copies = m.group(1), m.group(2), m.group(3) or "0"
        if len(orig) > 1 or len(copies) > 1:
            return None
        if re.search(r"\.(docx?|pdf|xlsx?|rar|zip)\b", name, re.I):
            return None
        name = clean_component_name(name)
        if len(name) < 3:
            return None
        items.append({"name": name, "originals": int(orig), "copies": int(copies),
                      "required": is_required(name)})
        pos = m.end()
    if pos != len(body) or not items:
        return None
    return items


def decision_number(text: str) -> str:
    text = nfc(text)
    text = re.sub(r"^Quyết định số\s*", "", text)
    return re.sub(r"\s+/", "/", text)


def catalogue_row(p: dict) -> list[str]:
    tl = p.get("time_limit")
    return [
        p["code"], "1", p["name"], p["sector"], multi(p["levels"]), "public", p["procedure_type"],
        multi(p["applicants"]), p["issuing_agency"], p["competent_authority"],
        multi(p["implementing_agencies"]), multi(p["channels"]),
        tl[0] if tl else "", tl[1] if tl else "", "", "",
        "partial" if "online" in p["channels"] else "none",
        p["fees"], js(p["components"]) if p["components"] else "",
        p["result_name"], multi(p["result_codes"]), "true" if p["result_name"] else "false",
        js(p["legal_basis"]) if p["legal_basis"] else "",
        p["decision_no"], "", "published", "", "", p["source_url"],
    ]


CATALOGUE_COLUMNS = [
    "code", "version", "name", "sector", "levels", "kind", "procedure_type", "applicants",
    "issuing_agency", "competent_authority", "implementing_agencies", "channels",
    "time_limit_value", "time_limit_unit", "local_time_limit_value", "local_time_limit_unit",
    "online_level", "fees", "components", "result_name", "result_codes",
    "result_document_required", "legal_basis", "decision_no", "decision_date", "state",
    "valid_from", "valid_to", "source_url",
]


def dedupe(items):
    seen, out = set(), []
    for i in items:
        if i and i not in seen:
            seen.add(i)
            out.append(i)
    return out


def derive_portal(src: Path) -> list[dict]:
    details = {}
    for name in ("tthc-catalogue-details-1.jsonl", "tthc-catalogue-details-2.jsonl"):
        with (src / name).open(encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                details[d["ma_thu_tuc"]] = d
    out = []
    for r in read_csv(src / "tthc-catalogue.csv"):
        value = time_value(r["processing_time_value"])
        unit = TIME_UNITS.get(r["processing_time_unit"])
        d = details.get(r["code"], {})
        agencies = [nfc(a) for a in r["implementing_agencies_list"].split("; ")] \
            if r["implementing_agencies_list"] else [nfc(r["implementing_agency"])]
        out.append({
            "code": r["code"], "name": nfc(r["name"]), "sector": nfc(r["sector"]),
            "levels": levels_of(r["level"]), "procedure_type": nfc(r["procedure_type"]),
            "applicants": applicants_of(r["target_subjects"]),
            "issuing_agency": nfc(r["issuing_agency"]),
            "competent_authority": nfc(r["competent_authority"]),
            "implementing_agencies": dedupe(agencies),
            "channels": ordered([CHANNELS[c] for c in r["channels"].split("|") if c], CHANNEL_ORDER),
            "time_limit": (value, unit) if value and unit else None,
            "fees": fees_from_summary(r["fee_summary"]),
            "components": components_from_flat(d.get("thanh_phan_ho_so", "")) or [],
            "result_name": nfc(r["result"]),
            "result_codes": dedupe(c.strip() for c in r["result_codes"].split("|")),
            "legal_basis": [],
            "decision_no": decision_number(r["decision_no"]),
            "source_url": r["detail_url"].strip(),
        })
    return out


BQP_TIME = re.compile(r"(\d+(?:[.,]\d+)?)\s+(Ngày làm việc|Ngày|Giờ|Tháng)")
BQP_FEE_LINE = re.compile(r"^(Phí|Lệ phí)\s*:\s*(.*?)\s*$")
BQP_FEE_AMOUNT = re.compile(r"^(\d[\d.]*)\s+Đồng(?:\s*\((.*)\))?$", re.S)
DOC_NUMBER = re.compile(r"\d+/\d{4}/[A-ZĐ][A-Za-zĐđ0-9/-]*[A-Za-zĐđ0-9]")


def bqp_time(channels: list[dict]):
    ordered_channels = sorted(channels, key=lambda c: c["hinh_thuc"] != "Trực tiếp")
    for c in ordered_channels:
        m = BQP_TIME.fullmatch(c["thoi_han_giai_quyet"].strip())
        if m:
            value = time_value(m.group(1))
            return (value, TIME_UNITS[m.group(2)]) if value else None
        if c["thoi_han_giai_quyet"].strip():
            return None
    return None


def bqp_fees(channels: list[dict]) -> str:
    lines = dedupe(nfc(l) for c in channels for l in c["phi_le_phi"].split("\n")
                   if l.strip() and not l.strip().startswith("File đính kèm"))
    if not lines:
        return ""
    fees = []
    free = True
    for line in lines:
        m = BQP_FEE_LINE.match(line)
        if not m:
            return js([{"name": FEE_NAME, "note": " / ".join(lines)}])
        name, rest = m.group(1), m.group(2)
        if re.fullmatch(r"(0|[Kk]hông|o)\s+Đồng", rest):
            continue
        free = False
        a = BQP_FEE_AMOUNT.match(rest)
        fee = {"name": name}
        if a:
            fee["amount_vnd"] = amount(a.group(1))
            if a.group(2):
                fee["note"] = nfc(a.group(2))
        else:
            fee["note"] = rest
        fees.append(fee)
    return "free" if free else js(dedupe_dicts(fees))


def dedupe_dicts(items):
    seen, out = set(), []
    for i in items:
        k = js(i)
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out


def bqp_component(doc: dict) -> dict:
    name = clean_component_name(doc["ten_giay_to"])
    m = re.search(r"Bản chính:\s*(\d+)\s*\nBản sao:\s*(\d+)", doc["ghi_chu"])
    item = {"name": name, "originals": int(m.group(1)) if m else 0,
            "copies": int(m.group(2)) if m else 0, "required": is_required(name)}
    form = nfc(doc["so_luong"])
    if form:
        item["form"] = form
    return item


def bqp_legal(doc: dict) -> dict:
    number = nfc(doc["so_ky_hieu"])
    summary = nfc(doc["trich_yeu"])
    m = DOC_NUMBER.search(number) or DOC_NUMBER.search(summary)
    item = {"number": m.group(0) if m else number, "summary": summary}
    d = re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", doc.get("ngay_ban_hanh", "").strip())
    if d:
        item["date"] = f"{d.group(3)}-{d.group(2)}-{d.group(1)}"
    issuer = nfc(doc.get("co_quan_ban_hanh", ""))
    if issuer:
        item["issuer"] = issuer
    return item


def derive_bqp(src: Path) -> list[dict]:
    out = []
    with (src / "tthc-bqp-structured.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            channels = r["submission_channels"]
            out.append({
                "code": r["code"], "name": nfc(r["name"]), "sector": nfc(r["sector"]),
                "levels": levels_of(r["level"]), "procedure_type": nfc(r["procedure_type"]),
                "applicants": applicants_of(r["target_subjects"]),
                "issuing_agency": "Bộ Quốc phòng",
                "competent_authority": nfc(r["competent_authority"]),
                "implementing_agencies": dedupe([nfc(r["implementing_agency"])]),
                "channels": ordered([CHANNELS[c["hinh_thuc"]] for c in channels], CHANNEL_ORDER),
                "time_limit": bqp_time(channels),
                "fees": bqp_fees(channels),
                "components": [bqp_component(d) for d in r["documents"] if nfc(d["ten_giay_to"])],
                "result_name": nfc(r["result"]),
                "result_codes": [],
                "legal_basis": dedupe_dicts(bqp_legal(l) for l in r["legal_basis"]),
                "decision_no": decision_number(r["decision_no"]),
                "source_url": "",
            })
    return out


def derive_catalogue(src: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    procedures = derive_portal(src) + derive_bqp(src)
    procedures.sort(key=lambda p: p["code"])
    codes = collections.Counter(p["code"] for p in procedures)
    dup = [c for c, n in codes.items() if n > 1]
    if dup:
        sys.exit(f"duplicate procedure codes: {dup[:5]}")
    write_csv(out / "procedures.csv", CATALOGUE_COLUMNS, [catalogue_row(p) for p in procedures])
    stats = collections.Counter()
    for p in procedures:
        stats["procedures"] += 1
        stats["with_time_limit"] += p["time_limit"] is not None
        stats["with_components"] += bool(p["components"])
        stats["fees_unknown"] += p["fees"] == ""
        stats["fees_free"] += p["fees"] == "free"
    print("catalogue:", dict(stats))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="/work/shared/data", type=Path)
    ap.add_argument("--out", default=Path(__file__).resolve().parent.parent / "data", type=Path)
    args = ap.parse_args()
    derive_units(args.shared, args.out / "units")
    derive_catalogue(args.shared, args.out / "catalogue")


if __name__ == "__main__":
    main()
