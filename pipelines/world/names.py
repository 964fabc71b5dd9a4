"""Word lists and name builders: company names, legal suffixes, domains, people and name variants."""

from __future__ import annotations

import numpy as np

FIRST = [
    "General",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Wonka",
    "Oscorp",
    "Aperture",
    "Gringotts",
    "Monarch",
    "Pied",
    "Blue",
    "Red",
    "Green",
    "Silver",
    "Golden",
    "Iron",
    "Summit",
    "Pioneer",
    "Atlas",
    "Apex",
    "Vertex",
    "Horizon",
    "Pacific",
    "Atlantic",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "United",
    "National",
    "Allied",
    "Premier",
    "Royal",
    "Liberty",
    "Eagle",
    "Falcon",
    "Cedar",
    "Maple",
    "Oak",
    "Pine",
    "Granite",
    "Harbor",
    "River",
    "Lake",
    "Mountain",
    "Valley",
    "Prairie",
    "Coastal",
    "Sterling",
    "Crown",
    "Beacon",
    "Orion",
    "Nova",
    "Stellar",
    "Quantum",
    "Vector",
    "Delta",
    "Sigma",
    "Omega",
    "Alpha",
    "Titan",
    "Phoenix",
    "Crescent",
    "Meridian",
    "Keystone",
    "Benchmark",
    "Clearwater",
]
SECOND = [
    "Electric",
    "Logistics",
    "Dynamics",
    "Systems",
    "Industries",
    "Health",
    "Foods",
    "Energy",
    "Motors",
    "Pharma",
    "Textiles",
    "Logic",
    "Networks",
    "Capital",
    "Insurance",
    "Bank",
    "Retail",
    "Foods",
    "Media",
    "Telecom",
    "Aerospace",
    "Chemicals",
    "Robotics",
    "Analytics",
    "Shipping",
    "Airlines",
    "Hotels",
    "Foundry",
    "Mining",
    "Steel",
    "Paper",
    "Water",
    "Power",
    "Labs",
    "Devices",
    "Semiconductors",
    "Biotech",
    "Medical",
    "Clinics",
    "Schools",
    "University",
    "Transit",
    "Rail",
    "Freight",
    "Farms",
    "Beverages",
    "Apparel",
    "Brands",
    "Outfitters",
    "Builders",
    "Construction",
    "Engineering",
    "Consulting",
    "Software",
    "Cloud",
    "Data",
    "Security",
    "Payments",
    "Lending",
    "Mortgage",
]
THIRD = (
    "",
    "Group",
    "Holdings",
    "Partners",
    "International",
    "Works",
    "Solutions",
    "Global",
    "Enterprises",
    "Company",
    "Services",
    "Technologies",
    "Corporation",
    "Associates",
    "Ventures",
    "Worldwide",
    "Brothers",
    "Trading",
    "Industries Group",
    "Collective",
)
LEGAL_SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "S.A.", "Corp.", "PLC", "B.V.", "AG", "Pty Ltd")
DIVISIONS = (
    "Healthcare",
    "Aviation",
    "Digital",
    "Capital",
    "Energy",
    "Research",
    "Europe",
    "Asia",
    "Services",
    "Software",
    "Consumer",
    "Industrial",
)
SUBDOMAIN_PREFIXES = ("eu", "us", "portal", "shop", "corp", "mail")
COUNTRIES = {
    "NA": ("US", "CA", "MX"),
    "EMEA": ("GB", "DE", "FR", "NL", "ES", "SE", "AE"),
    "APAC": ("AU", "JP", "SG", "IN", "KR"),
    "LATAM": ("BR", "AR", "CL", "CO"),
}
TLD = {
    "US": "com",
    "CA": "ca",
    "MX": "mx",
    "GB": "co.uk",
    "DE": "de",
    "FR": "fr",
    "NL": "nl",
    "ES": "es",
    "SE": "se",
    "AE": "ae",
    "AU": "com.au",
    "JP": "jp",
    "SG": "sg",
    "IN": "in",
    "KR": "kr",
    "BR": "com.br",
    "AR": "com.ar",
    "CL": "cl",
    "CO": "co",
}
FIRST_NAMES = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Maria",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Ahmed",
    "Fatima",
    "Lars",
    "Ingrid",
    "Pierre",
    "Claire",
    "Hans",
    "Greta",
    "Raj",
    "Priya",
    "Olu",
    "Amara",
    "Diego",
    "Lucia",
    "Sven",
    "Anna",
    "Marco",
    "Giulia",
    "Kenji",
    "Aiko",
    "Noah",
    "Emma",
    "Liam",
    "Olivia",
    "Lucas",
    "Sofia",
    "Mateo",
    "Isabella",
    "Omar",
    "Layla",
    "Ivan",
    "Elena",
    "Tariq",
    "Zara",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Dubois",
    "Laurent",
    "Rossi",
    "Russo",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Singh",
    "Patel",
    "Kumar",
    "Andersson",
    "Johansson",
    "Silva",
    "Santos",
    "Oliveira",
]
PARTNER_WORDS = (
    "Bluewave",
    "Nimbus",
    "Brightpath",
    "Ironclad",
    "Skyline",
    "Cobalt",
    "Redwood",
    "Lighthouse",
    "Northstar",
    "Keystone",
    "Evergreen",
    "Quickstep",
    "Trueline",
    "Zenith",
    "Bitwise",
    "Cloudrise",
    "Datapoint",
    "Netcore",
    "Pinnacle",
    "Crossroads",
)
PARTNER_KINDS = ("IT", "Tech", "Digital", "Cloud", "Systems", "Data", "Cyber", "Networks")
PARTNER_SUFFIXES = (
    "Solutions",
    "Partners",
    "Consulting",
    "Group",
    "Services",
    "Integrators",
    "Labs",
)
JOB_TITLES = {
    "sales": ("Account Executive", "Sales Manager", "Channel Sales Lead"),
    "technical": ("Solutions Engineer", "Technical Architect", "Support Engineer"),
    "marketing": ("Marketing Manager", "Demand Generation Lead"),
    "executive": ("CEO", "Managing Director", "VP Sales"),
}


def name_space() -> int:
    """How many distinct company base names the word lists make."""
    return len(FIRST) * len(SECOND) * len(THIRD)


def company_bases(rng: np.random.Generator, n: int) -> list[tuple[str, str, str]]:
    """``n`` distinct (first, second, third) name parts."""
    space = len(FIRST) * len(SECOND) * len(THIRD)
    if n > space:
        raise ValueError(f"at most {space} distinct company names")
    picks = rng.choice(space, size=n, replace=False)
    out = []
    for p in picks.tolist():
        a, rest = divmod(p, len(SECOND) * len(THIRD))
        b, c = divmod(rest, len(THIRD))
        out.append((FIRST[a], SECOND[b], THIRD[c]))
    return out


def base_name(parts: tuple[str, str, str]) -> str:
    return " ".join(p for p in parts if p)


def domain_of(parts: tuple[str, str, str], country: str) -> str:
    return "".join(p.lower() for p in parts if p) + "." + TLD[country]


def acronym(base: str) -> str:
    return "".join(w[0] for w in base.split() if w).upper()


def typo(rng: np.random.Generator, name: str) -> str:
    """One or two character edits (swap, drop, substitute, double) of ``name``."""
    s = list(name)
    for _ in range(1 + int(rng.random() < 0.35)):
        letters = [i for i, ch in enumerate(s) if ch.isalpha()]
        i = letters[int(rng.integers(len(letters)))]
        op = int(rng.integers(4))
        if op == 0 and i + 1 < len(s):
            s[i], s[i + 1] = s[i + 1], s[i]
        elif op == 1:
            del s[i]
        elif op == 2:
            s[i] = "abcdefghijklmnopqrstuvwxyz"[int(rng.integers(26))]
        else:
            s.insert(i, s[i])
    out = "".join(s)
    return out if out != name else name + name[-1]


def case_punct(rng: np.random.Generator, name: str) -> str:
    """Same name with different casing or punctuation."""
    choice = int(rng.integers(4))
    if choice == 0:
        out = name.upper()
    elif choice == 1:
        out = name.lower()
    elif choice == 2:
        out = name.replace(".", "").replace(" ", "  ", 1) + ","
    else:
        out = name.replace(" ", "-", 1).lower()
    return out if out != name else name.upper() + "."


def person(rng: np.random.Generator) -> tuple[str, str]:
    return FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))], LAST_NAMES[
        int(rng.integers(len(LAST_NAMES)))
    ]
