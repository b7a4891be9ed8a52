"""Reference data of the demo plant: styles, operation bulletins, defect and downtime reasons,
machines, materials, names and the holiday calendar. Plain constants, no logic.

Every list is ordered: the generator samples from them by index, so their order is part of what
makes a seed reproducible.
"""
from __future__ import annotations

# --- styles and their operation bulletins --------------------------------------------------------

# (style_code, description, smv, family); family picks the operation bulletin and materials
STYLES = [
    ("TS-1101", "Basic crew-neck T-shirt, single jersey", 4.6, "knit"),
    ("TS-1102", "V-neck T-shirt, slub jersey", 5.3, "knit"),
    ("TS-1103", "Long-sleeve T-shirt with cuff rib", 7.1, "knit"),
    ("TS-1104", "Ladies' tank top", 4.0, "knit"),
    ("KD-1105", "Kids' romper, interlock", 8.2, "knit"),
    ("SW-1106", "Crew-neck sweatshirt, brushed fleece", 9.6, "knit"),
    ("PO-1201", "Men's pique polo shirt", 11.8, "polo"),
    ("PO-1202", "Ladies' polo with tipped collar", 13.4, "polo"),
    ("PO-1203", "Long-sleeve rugby polo", 15.2, "polo"),
    ("SH-1301", "Men's long-sleeve formal shirt", 22.5, "shirt"),
    ("SH-1302", "Men's short-sleeve casual shirt", 17.2, "shirt"),
    ("BL-1303", "Ladies' woven blouse", 14.6, "shirt"),
    ("SH-1304", "Flannel check shirt", 19.8, "shirt"),
    ("TR-1401", "Men's 5-pocket denim jeans", 24.8, "bottom"),
    ("TR-1402", "Chino trouser", 21.3, "bottom"),
    ("TR-1403", "Fleece jogger pants", 10.4, "bottom"),
    ("SR-1404", "Cargo shorts", 14.2, "bottom"),
    ("LG-1405", "Ladies' leggings", 4.9, "bottom"),
    ("JK-1501", "Padded winter jacket", 29.5, "outer"),
    ("JK-1502", "Lightweight windbreaker", 24.0, "outer"),
    ("HD-1503", "Zip-through hoodie", 16.9, "outer"),
]

# Share of a line's lines per family (knit tops dominate a Bangladeshi sewing floor).
FAMILY_MIX = [("knit", 0.35), ("polo", 0.15), ("shirt", 0.2), ("bottom", 0.2), ("outer", 0.1)]

# operation -> share of the garment's SMV
OPERATIONS = {
    "knit": [("Shoulder join", 0.10), ("Neck rib attach", 0.13), ("Neck top stitch", 0.10),
             ("Sleeve attach", 0.17), ("Side seam", 0.17), ("Sleeve hem", 0.11),
             ("Bottom hem", 0.12), ("Label attach", 0.10)],
    "polo": [("Placket making", 0.14), ("Collar join", 0.12), ("Shoulder join", 0.08),
             ("Sleeve attach", 0.14), ("Side seam", 0.14), ("Sleeve hem", 0.08),
             ("Bottom hem", 0.09), ("Button hole", 0.07), ("Button attach", 0.07),
             ("Label attach", 0.07)],
    "shirt": [("Collar making", 0.12), ("Collar join", 0.10), ("Cuff making", 0.08),
              ("Cuff attach", 0.08), ("Front placket", 0.08), ("Pocket attach", 0.06),
              ("Yoke attach", 0.06), ("Sleeve attach", 0.10), ("Side seam", 0.10),
              ("Hemming", 0.07), ("Button hole", 0.075), ("Button attach", 0.075)],
    "bottom": [("Back pocket attach", 0.10), ("Front pocket", 0.12), ("Fly stitch", 0.10),
               ("Side seam", 0.10), ("Inseam", 0.10), ("Seat seam", 0.06),
               ("Waistband attach", 0.12), ("Belt loop attach", 0.06), ("Bartack", 0.06),
               ("Hemming", 0.08), ("Button hole", 0.05), ("Label attach", 0.05)],
    "outer": [("Panel join", 0.14), ("Zipper attach", 0.12), ("Pocket attach", 0.10),
              ("Sleeve attach", 0.12), ("Hood join", 0.10), ("Lining attach", 0.12),
              ("Cuff attach", 0.08), ("Side seam", 0.10), ("Hemming", 0.06),
              ("Top stitch", 0.06)],
}

# material_code, unit, quantity per garment
MATERIALS = {
    "knit": [("FAB-SJ-160", "kg", 0.24), ("THR-PS-40/2", "cone", 0.03), ("LBL-MAIN", "pcs", 1),
             ("LBL-CARE", "pcs", 1), ("POLY-BAG", "pcs", 1), ("CTN-5PLY", "pcs", 1 / 24)],
    "polo": [("FAB-PQ-220", "kg", 0.32), ("RIB-COLLAR", "pcs", 1), ("BTN-18L", "pcs", 3),
             ("THR-PS-40/2", "cone", 0.04), ("LBL-MAIN", "pcs", 1), ("POLY-BAG", "pcs", 1)],
    "shirt": [("FAB-POPLIN-120", "m", 1.6), ("INT-FUSIBLE", "m", 0.3), ("BTN-16L", "pcs", 11),
              ("THR-PS-60/3", "cone", 0.05), ("LBL-MAIN", "pcs", 1), ("POLY-BAG", "pcs", 1)],
    "bottom": [("FAB-TWILL-12OZ", "m", 1.3), ("ZIP-YKK-5", "pcs", 1), ("BTN-SHANK", "pcs", 1),
               ("RIVET-CU", "pcs", 6), ("THR-PS-20/3", "cone", 0.06), ("LBL-MAIN", "pcs", 1)],
    "outer": [("FAB-TASLAN", "m", 2.1), ("LINING-POLY", "m", 1.8), ("WADDING-100G", "m", 1.5),
              ("ZIP-YKK-8", "pcs", 1), ("THR-PS-40/2", "cone", 0.08), ("LBL-MAIN", "pcs", 1)],
}

# --- quality -------------------------------------------------------------------------------------

# Pareto: a few reasons make most defects
DEFECT_REASONS = [
    ("Broken stitch", 0.22), ("Skip stitch", 0.17), ("Open seam", 0.13), ("Uneven hem", 0.10),
    ("Puckering", 0.09), ("Stain", 0.07), ("Wrong measurement", 0.06), ("Down stitch", 0.05),
    ("Oil spot", 0.04), ("Raw edge", 0.03), ("Needle hole", 0.02), ("Shade variation", 0.02),
]

# --- downtime ------------------------------------------------------------------------------------

# category, shifts-per-event rate (events per line-shift), median minutes, share of the line
# stopped (for the output it costs), reasons
DOWNTIME = [
    ("Machine breakdown", 1.3, 16, 0.12,
     ["Needle breakage", "Thread breakage", "Motor fault", "Timing out of adjustment",
      "Feed dog problem", "Oil leakage", "Looper problem", "Tension problem"]),
    ("No feeding from cutting", 0.25, 35, 1.0,
     ["Cut panels not ready", "Bundle missing", "Shade mismatch in bundle", "Numbering error"]),
    ("Trims shortage", 0.15, 30, 0.5,
     ["Thread shortage", "Label not available", "Zipper shortage", "Button shortage",
      "Interlining shortage"]),
    ("Quality issue", 0.12, 25, 0.35,
     ["Line stopped for rework", "Buyer QA hold", "Measurement problem", "Shade problem"]),
    ("Absenteeism/balancing", 0.10, 20, 0.25,
     ["Operator absent", "Line balancing", "Operator moved to other line"]),
]
CHANGEOVER = ("Style changeover", 0.6,
              ["New style setup", "Machine re-layout", "Attachment change", "Pilot run"])

# --- machines ------------------------------------------------------------------------------------

# type, share of a line's machines, PM interval in days, (make, model) choices
MACHINE_TYPES = [
    ("Single needle lockstitch", 0.44, 90,
     [("Juki", "DDL-8700"), ("Juki", "DDL-9000C"), ("Brother", "S-7300A"), ("Jack", "A4")]),
    ("Overlock", 0.20, 60, [("Juki", "MO-6814S"), ("Pegasus", "M952"), ("Siruba", "757F")]),
    ("Flatlock", 0.12, 60, [("Pegasus", "W664"), ("Yamato", "VC2700"), ("Siruba", "F007K")]),
    ("Double needle lockstitch", 0.07, 90, [("Juki", "LH-3528A"), ("Brother", "T-8420")]),
    ("Bartack", 0.04, 30, [("Juki", "LK-1900B"), ("Brother", "KE-430HX")]),
    ("Button hole", 0.04, 30, [("Juki", "LBH-1790A"), ("Brother", "HE-800C")]),
    ("Button attach", 0.04, 30, [("Juki", "LK-1903B"), ("Brother", "BE-438HX")]),
    ("Feed-off-the-arm", 0.03, 60, [("Juki", "MS-1261")]),
    ("Multi-needle chainstitch", 0.02, 60, [("Kansai Special", "DFB-1404P")]),
]

# --- people --------------------------------------------------------------------------------------

FEMALE_NAMES = [
    "Fatema", "Nasrin", "Shirin", "Rokeya", "Salma", "Ayesha", "Rina", "Jesmin", "Moriom",
    "Shahnaz", "Parvin", "Rehana", "Taslima", "Sumi", "Mitu", "Laboni", "Shapla", "Kulsum",
    "Nazma", "Rupa", "Shilpi", "Sathi", "Runa", "Mukta", "Rozina", "Sharmin", "Farzana",
    "Nilufa", "Khadija", "Jannat", "Tania", "Popy", "Lipi", "Rashida", "Asma", "Hosne Ara",
    "Morjina", "Sufia", "Aklima", "Rabeya",
]
MALE_NAMES = [
    "Rahim", "Karim", "Abdul", "Jamal", "Kamal", "Rafiq", "Shafiq", "Mizan", "Sohel", "Rubel",
    "Habib", "Alamgir", "Masud", "Nazmul", "Sabbir", "Shahin", "Faruk", "Monir", "Jahid",
    "Tanvir", "Anwar", "Belal", "Delwar", "Harun", "Liton", "Mamun", "Raju", "Selim",
]
FEMALE_SURNAMES = ["Akter", "Begum", "Khatun", "Sultana", "Islam", "Parvin", "Rahman"]
MALE_SURNAMES = ["Hossain", "Rahman", "Uddin", "Ahmed", "Miah", "Sarkar", "Islam", "Sheikh",
                 "Chowdhury", "Mondal", "Biswas", "Haque", "Ali", "Das"]

# role -> (department, designation, share female)
ROLES = {
    "operator": ("Sewing", "Sewing Operator", 0.8),
    "helper": ("Sewing", "Helper", 0.6),
    "qc": ("Quality", "QC Inspector", 0.5),
    "supervisor": ("Sewing", "Line Supervisor", 0.3),
    "mechanic": ("Maintenance", "Mechanic", 0.0),
}

# Attendance terminals; the old one at the back gate cannot tell IN from OUT.
DEVICES = ["ZK-GATE-1", "ZK-GATE-2", "ZK-GATE-3", "ZK-GATE-4"]
DEVICE_WEIGHTS = [0.38, 0.3, 0.2, 0.12]
BOTH_DEVICE = "ZK-GATE-4"

# --- calendar ------------------------------------------------------------------------------------

FIXED_HOLIDAYS = [
    (2, 21, "Shaheed Day"), (3, 26, "Independence Day"), (4, 14, "Pohela Boishakh"),
    (5, 1, "May Day"), (8, 5, "July Mass Uprising Day"), (12, 16, "Victory Day"),
    (12, 25, "Christmas Day"),
]
# Moon-sighted holidays move every year; these dates are close to the Bangladesh calendar (a few
# days of Eid leave, as garment factories give). Years outside the table get the fixed ones only.
LUNAR_HOLIDAYS = {
    2024: [("04-10", "Eid ul-Fitr", 3), ("06-16", "Eid ul-Adha", 3), ("07-17", "Ashura", 1),
           ("08-26", "Janmashtami", 1), ("09-16", "Eid-e-Miladunnabi", 1),
           ("10-12", "Durga Puja", 2)],
    2025: [("03-30", "Eid ul-Fitr", 3), ("06-06", "Eid ul-Adha", 3), ("07-06", "Ashura", 1),
           ("08-16", "Janmashtami", 1), ("09-05", "Eid-e-Miladunnabi", 1),
           ("10-01", "Durga Puja", 2)],
    2026: [("03-19", "Eid ul-Fitr", 3), ("05-26", "Eid ul-Adha", 3), ("06-25", "Ashura", 1),
           ("08-26", "Eid-e-Miladunnabi", 1), ("09-04", "Janmashtami", 1),
           ("10-19", "Durga Puja", 2)],
    2027: [("03-09", "Eid ul-Fitr", 3), ("05-16", "Eid ul-Adha", 3), ("06-15", "Ashura", 1),
           ("08-15", "Eid-e-Miladunnabi", 1), ("08-25", "Janmashtami", 1),
           ("10-08", "Durga Puja", 2)],
    2028: [("02-26", "Eid ul-Fitr", 3), ("05-04", "Eid ul-Adha", 3), ("06-03", "Ashura", 1),
           ("08-04", "Eid-e-Miladunnabi", 1), ("08-13", "Janmashtami", 1),
           ("09-26", "Durga Puja", 2)],
}
