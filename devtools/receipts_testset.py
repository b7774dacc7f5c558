"""A generated test set of receipts with known values, for the receipt reader's tests and its
benchmark (`manage.py bench_receipts`, docs/BENCHMARKS.md "Receipts (OCR)").

Each sample is a shop ticket or a small invoice in French or Dutch, rendered with the DejaVu
fonts: a photo-like image (PNG or JPEG), a PDF with a text layer, or a scanned PDF (an image in a
PDF). The clean set is rendered as printed; the noisy set adds what phone photos of thermal
paper show: a small rotation, blur, low contrast, a greyish uneven paper, speckles, and JPEG
compression. Everything comes from a seeded random generator: the same seed, the same set.
"""

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path("/usr/share/fonts/truetype/dejavu")
CENT = Decimal("0.01")
WIDTH = 640

MONTHS = {
    "fr": [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ],
    "nl": [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
        "september", "oktober", "november", "december",
    ],
}  # fmt: skip

# (name, street, city, category code, items)
SHOPS = [
    ("BRASSERIE DU MARCHÉ", "Place du Marché 12", "4000 Liège", "meals",
     ["Plat du jour", "Eau plate", "Café", "Croque monsieur", "Salade niçoise"]),
    ("RESTAURANT DE KROON", "Grote Markt 4", "2000 Antwerpen", "meals",
     ["Dagschotel", "Spuitwater", "Koffie", "Soep van de dag", "Croque"]),
    ("HÔTEL LES ARCADES", "Rue Neuve 88", "1000 Bruxelles", "meals",
     ["Nuitée chambre simple", "Petit-déjeuner", "Taxe de séjour"]),
    ("BRICO CENTER", "Chaussée de Mons 301", "1070 Anderlecht", "material",
     ["Vis 4x40 (100)", "Rallonge 10 m", "Ruban adhésif", "Piles AA x4", "Câble XLR 5 m"]),
    ("HUBO DOE-HET-ZELF", "Industrieweg 7", "9000 Gent", "material",
     ["Schroeven 4x40", "Verlengkabel", "Tape", "Batterijen AA", "Lijm"]),
    ("PAPETERIE CENTRALE", "Rue de Fer 15", "5000 Namur", "material",
     ["Cahier A4", "Cartouche encre", "Stylos x10", "Enveloppes C5"]),
    ("LIBRAIRIE DU PARC", "Avenue Louise 210", "1050 Ixelles", "training",
     ["Livre: Gestion de projet", "Revue mensuelle", "Manuel de comptabilité"]),
    ("BOEKHANDEL DE ZWAAN", "Bondgenotenlaan 40", "3000 Leuven", "training",
     ["Boek: Fotografie", "Tijdschrift", "Handboek boekhouden"]),
    ("TAXI VERT", "Rue Gachard 88", "1050 Bruxelles", "travel",
     ["Course Gare du Midi - Flagey", "Supplément bagage"]),
    ("PARKING CENTRUM", "Vrijdagmarkt 1", "9000 Gent", "travel",
     ["Parkeren 3 u", "Parkeren dagtarief"]),
    ("TELECOM SHOP", "Rue de la Loi 5", "1040 Etterbeek", "communication",
     ["Carte SIM prépayée", "Recharge 20 euros", "Chargeur USB-C"]),
]  # fmt: skip

LABELS = {
    "fr": {
        "total": ["TOTAL", "TOTAL TTC", "À PAYER", "NET À PAYER", "MONTANT À PAYER"],
        "vat": "TVA",
        "base": "Base",
        "vat_number": ["TVA", "N° TVA", "Numéro TVA", "N° entreprise"],
        "date": ["Date", "Date", "Le"],
        "thanks": "Merci de votre visite !",
        "ticket": "Ticket",
        "card": "Payé par carte",
    },
    "nl": {
        "total": ["TOTAAL", "TE BETALEN", "TOTAAL INCL. BTW", "TOTAAL TE BETALEN"],
        "vat": "BTW",
        "base": "Basis",
        "vat_number": ["BTW", "BTW-nr", "Ond.nr.", "BTW-nummer"],
        "date": ["Datum", "Datum", "Op"],
        "thanks": "Bedankt voor uw bezoek!",
        "ticket": "Kasticket",
        "card": "Betaald met kaart",
    },
}

# The category codes of payroll's expense categories the shops above belong to.
RATES_BY_CATEGORY = {
    "meals": [Decimal(12), Decimal(21)],
    "material": [Decimal(21)],
    "training": [Decimal(6)],
    "travel": [Decimal(6), Decimal(21)],
    "communication": [Decimal(21)],
}


@dataclass
class Sample:
    """One receipt of the set: its file and what is printed on it."""

    name: str
    content: bytes
    content_type: str
    language: str
    noisy: bool
    total: Decimal
    spent_on: date
    vat_number: str  # as the reader gives it: BE0123456789
    supplier: str
    category: str
    vat_by_rate: dict[str, Decimal] = field(default_factory=dict)


def belgian_vat_number(rng: random.Random) -> str:
    """A valid Belgian VAT number (enterprise number with its mod-97 check), e.g. BE0123456749."""
    first = rng.randint(2_000_000, 9_999_999)  # 0 + 7 digits: 02xx… to 09xx…
    base = first
    check = 97 - base % 97
    return f"BE0{base:07d}{check:02d}"


def _money(value: Decimal) -> str:
    whole, decimals = f"{value:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{groups},{decimals}"


def _printed_vat_number(number: str, rng: random.Random) -> str:
    digits = number[2:]
    style = rng.randrange(3)
    if style == 0:
        return f"BE {digits[:4]}.{digits[4:7]}.{digits[7:]}"
    if style == 1:
        return f"BE{digits}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _printed_date(day: date, language: str, rng: random.Random) -> str:
    style = rng.randrange(5)
    if style == 0:
        return day.strftime("%d/%m/%Y")
    if style == 1:
        return day.strftime("%d-%m-%y")
    if style == 2:
        return day.strftime("%d.%m.%Y")
    if style == 3:
        return day.strftime("%d/%m/%Y") + rng.choice(["  14:32", "  09:05", "  19:47"])
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def _receipt_lines(
    rng: random.Random, language: str, start: date, days: int
) -> tuple[list[tuple[str, str]], dict]:
    """The ticket's lines as (text, style) and the values printed on it."""
    name, street, city, category, items = rng.choice(SHOPS)
    labels = LABELS[language]
    vat_number = belgian_vat_number(rng)
    day = start + timedelta(days=rng.randrange(days))
    rates = RATES_BY_CATEGORY[category]
    lines: list[tuple[str, str]] = [
        (name, "title"),
        (street, "small"),
        (city, "small"),
        (f"{rng.choice(labels['vat_number'])}: {_printed_vat_number(vat_number, rng)}", "small"),
        ("", "text"),
        (f"{rng.choice(labels['date'])}: {_printed_date(day, language, rng)}", "text"),
        (f"{labels['ticket']} {rng.randint(1000, 99999)}", "text"),
        ("-" * 32, "text"),
    ]
    by_rate: dict[Decimal, Decimal] = {}
    for _ in range(rng.randint(1, 5)):
        item = rng.choice(items)
        quantity = rng.choice([1, 1, 1, 2, 3])
        price = Decimal(rng.randint(90, 6500)) / 100
        amount = price * quantity
        rate = rng.choice(rates)
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + amount
        label = item if quantity == 1 else f"{quantity} x {item}"
        lines.append((_columns(label[:22], _money(amount)), "text"))
    total = sum(by_rate.values(), Decimal(0))
    lines.append(("-" * 32, "text"))
    lines.append((_columns(rng.choice(labels["total"]), f"{_money(total)} EUR"), "total"))
    lines.append(("", "text"))
    vat_by_rate = {}
    for rate, gross in sorted(by_rate.items()):
        vat = (gross * rate / (100 + rate)).quantize(CENT, ROUND_HALF_UP)
        vat_by_rate[str(rate)] = vat
        base = gross - vat
        lines.append(
            (f"{labels['vat']} {rate}%  {_money(base)}  {_money(vat)}  {_money(gross)}", "small")
        )
    lines += [("", "text"), (labels["card"], "small"), (labels["thanks"], "small")]
    truth = {
        "total": total,
        "spent_on": day,
        "vat_number": vat_number,
        "supplier": name,
        "category": category,
        "vat_by_rate": vat_by_rate,
    }
    return lines, truth


def _columns(left: str, right: str, width: int = 32) -> str:
    return left + " " * max(1, width - len(left) - len(right)) + right


def _render(lines: list[tuple[str, str]], font_size: int) -> Image.Image:
    fonts = {
        "title": ImageFont.truetype(str(FONTS / "DejaVuSansMono-Bold.ttf"), font_size + 4),
        "total": ImageFont.truetype(str(FONTS / "DejaVuSansMono-Bold.ttf"), font_size + 2),
        "text": ImageFont.truetype(str(FONTS / "DejaVuSansMono.ttf"), font_size),
        "small": ImageFont.truetype(str(FONTS / "DejaVuSansMono.ttf"), font_size - 2),
    }
    step = int(font_size * 1.5)
    image = Image.new("L", (WIDTH, step * (len(lines) + 4)), 255)
    draw = ImageDraw.Draw(image)
    y = step * 2
    for text, style in lines:
        draw.text((30, y), text, font=fonts[style], fill=0)
        y += step + (6 if style in {"title", "total"} else 0)
    return image


def _noisy(image: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo of a thermal ticket: faded print on greyish uneven paper, lighter
    streaks where the print head wore, a little rotated and blurred, with speckles."""
    ink = rng.randint(70, 130)
    paper = rng.randint(165, 215)
    image = image.point(lambda v: ink + (paper - ink) * v // 255)
    width, height = image.size
    for _ in range(rng.randint(1, 3)):  # faded vertical streaks
        left = rng.randrange(width - 20)
        streak = image.crop((left, 0, left + rng.randint(4, 14), height))
        image.paste(streak.point(lambda v: min(v + 35, paper)), (left, 0))
    shade = Image.linear_gradient("L").resize((width, height)).point(lambda v: v * 40 // 255)
    image = Image.composite(image.point(lambda v: max(v - 30, 0)), image, shade)
    # Speckles from the seeded generator (Pillow's effect_noise draws from an unseeded one).
    speckles = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    image = Image.blend(image, speckles, rng.uniform(0.08, 0.14))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.4)))
    angle = rng.uniform(-5, 5)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=90)
    return image


def _encoded(image: Image.Image, kind: str, rng: random.Random, noisy: bool) -> bytes:
    buffer = io.BytesIO()
    if kind == "png":
        image.save(buffer, "PNG")
    elif kind == "jpg":
        image.convert("RGB").save(buffer, "JPEG", quality=rng.randint(55, 75) if noisy else 90)
    else:  # a scanned PDF: the picture in a PDF page, no text layer
        image.convert("RGB").save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def _text_pdf(lines: list[tuple[str, str]]) -> bytes:
    """A PDF with a text layer (as a shop's till or an online shop makes them)."""
    from weasyprint import HTML  # imported here: the images don't need it

    rows = "".join(
        f'<div class="{style}">{text.replace("&", "&amp;").replace("<", "&lt;") or "&nbsp;"}</div>'
        for text, style in lines
    )
    css = (
        "@page{size:80mm 200mm;margin:5mm}body{font-family:'DejaVu Sans Mono';font-size:8pt;"
        "white-space:pre}.title{font-weight:bold;font-size:10pt}.total{font-weight:bold}"
    )
    return HTML(string=f"<html><style>{css}</style><body>{rows}</body></html>").write_pdf()


def generate(
    count: int,
    *,
    seed: int = 18,
    noisy: bool = False,
    start: date = date(2026, 1, 1),
    days: int = 330,
) -> list[Sample]:
    """`count` receipts, half French half Dutch, of every kind (PNG, JPEG, scanned PDF, PDF
    with a text layer), clean or noisy, dated within `days` from `start`; the same arguments
    give the same set."""
    rng = random.Random(f"{seed}-{noisy}")  # noqa: S311 (a test set, not a secret)
    samples = []
    kinds = ["jpg", "png", "jpg", "scan", "pdf"]
    for index in range(count):
        language = "fr" if index % 2 == 0 else "nl"
        lines, truth = _receipt_lines(rng, language, start, days)
        kind = kinds[index % len(kinds)]
        if kind == "pdf":
            content, content_type = _text_pdf(lines), "application/pdf"
        else:
            image = _render(lines, font_size=rng.choice([22, 24, 26]))
            if noisy:
                image = _noisy(image, rng)
            content = _encoded(image, kind, rng, noisy)
            content_type = {"jpg": "image/jpeg", "png": "image/png"}.get(kind, "application/pdf")
        extension = {"image/jpeg": "jpg", "image/png": "png"}.get(content_type, "pdf")
        samples.append(
            Sample(
                name=f"{'noisy' if noisy else 'clean'}-{index:03d}-{language}.{extension}",
                content=content,
                content_type=content_type,
                language=language,
                noisy=noisy,
                total=truth["total"],
                spent_on=truth["spent_on"],
                vat_number=truth["vat_number"],
                supplier=truth["supplier"],
                category=truth["category"],
                vat_by_rate=truth["vat_by_rate"],
            )
        )
    return samples
