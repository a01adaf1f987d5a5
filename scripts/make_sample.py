#!/usr/bin/env python3
"""Generate (and check) the ticketlens sample support stream for "Harbor Bank".

Real: the customer messages (``text``) are taken verbatim from the banking77
train split (PolyAI, CC BY 4.0; Casanueva et al. 2020, arXiv:2003.04807).
Simulated: everything else (dates, requesters, channels, times, groups,
CSAT, reopens, the story).

Usage (from the repo root):

    python scripts/make_sample.py            # write src/ticketlens/sample/*
    python scripts/make_sample.py --check    # verify the written files

The output is deterministic: a fixed seed, one ``random.Random`` per purpose,
sorted iteration, no wall-clock.  Only the stdlib and PyYAML are used.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import statistics
import sys
from collections import Counter, defaultdict, deque
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BANKING77 = ROOT / ".." / "shared" / "data" / "banking77" / "train.csv"
DEFAULT_OUT = ROOT / "src" / "ticketlens" / "sample"

SEED = 20260706
BANK = "Harbor Bank"
TZ_NAME = "Europe/London"
START = date(2026, 7, 6)  # Monday
END = date(2026, 10, 25)  # Sunday
N_DAYS = (END - START).days + 1  # 112
END_LOCAL = datetime(2026, 10, 25, 23, 59, 59)
HOLIDAYS = [date(2026, 8, 31)]  # England & Wales summer bank holiday
BH_START, BH_END = 8, 18  # support business hours, Mon-Fri local

VENDOR_CHANGE = date(2026, 8, 11)  # Tuesday, week 6
FIX_DATE = date(2026, 9, 9)  # Wednesday, week 10
SPIKE_ISSUE = "card-payment-declined"
RISING_ISSUE = "wrong-exchange-rate"
MAX_REUSE = 3
MAX_BYTES = 10 * 1024 * 1024

CHANNELS = ["email", "chat", "phone"]
PRIORITIES = ["low", "normal", "high", "urgent"]
AREAS = ["cards", "transfers", "top-up", "fx", "account", "security", "fees"]
TICKET_KEYS = [
    "id",
    "created_at",
    "first_response_at",
    "solved_at",
    "status",
    "channel",
    "priority",
    "requester",
    "subject",
    "text",
    "tags",
    "product_area",
    "app_version",
    "group",
    "handoffs",
    "csat",
    "reopens",
    "messages",
]
MESSAGE_KEYS = ["author", "role", "created_at", "body"]

# --------------------------------------------------------------------------
# Mission document
# --------------------------------------------------------------------------

MISSION = {
    "name": BANK,
    "mission": (
        "Harbor Bank is a mobile-first bank that lets people spend, send and "
        "exchange money at home and abroad from one app. We want every "
        "customer to feel that their money simply works, wherever they are."
    ),
    "timezone": TZ_NAME,
    "outcomes": [
        {
            "id": "get-started",
            "name": "Be up and running on day one",
            "description": (
                "A new customer can open an account, pass our identity and "
                "compliance checks, and receive and switch on a physical or "
                "virtual card without waiting days or getting stuck."
            ),
            "metric": {
                "name": "Sign-up to first card payment",
                "target": "< 3 days for 80% of customers",
            },
        },
        {
            "id": "pay-with-card",
            "name": "Pay with my card wherever I am",
            "description": (
                "Card payments, contactless, mobile wallets and cash machines "
                "just work, in shops and online, at home and abroad. A good "
                "payment is never refused."
            ),
            "metric": {
                "name": "Authorisation approval rate (good transactions)",
                "target": ">= 99.2%",
            },
        },
        {
            "id": "move-money",
            "name": "Move money in and out without worry",
            "description": (
                "Adding money by card, bank transfer or deposit and sending "
                "money to other people arrive when we say they will, and "
                "customers can see where a payment is at every step."
            ),
            "metric": {
                "name": "Transfers and top-ups completed within the promised time",
                "target": ">= 98%",
            },
        },
        {
            "id": "fair-pricing",
            "name": "Fair rates and no surprise fees",
            "description": (
                "Customers get the currency conversion we advertise and only "
                "pay charges they were told about up front, whether they "
                "spend, withdraw cash or send money."
            ),
            "metric": {"name": "Pricing complaints per 10k card transactions", "target": "< 1"},
        },
        {
            "id": "know-my-money",
            "name": "Always know where my money is",
            "description": (
                "The balance and the list of transactions are right and up to "
                "date: no duplicate or phantom entries, refunds and reversals "
                "show up promptly, and pending items are explained."
            ),
        },
        {
            "id": "stay-safe",
            "name": "Feel safe and in control",
            "description": (
                "Customers can lock down a card or phone in seconds, get "
                "money back for activity they did not make, and manage their "
                "details and their account, including leaving, on their own terms."
            ),
            "metric": {"name": "Fraud claims resolved within 5 business days", "target": ">= 90%"},
        },
    ],
    "systems": [
        {
            "id": "card-processing",
            "name": "Card processing (vendor gateway)",
            "owner": "Daniel Okafor",
            "team": "Cards Platform",
            "contact": "#cards-platform",
            "description": (
                "Authorises every card payment and cash machine withdrawal "
                "through our external processor's gateway, applies risk and "
                "3-D Secure rules, and handles clearing, reversals and merchant refunds."
            ),
        },
        {
            "id": "card-issuing",
            "name": "Card issuing and delivery",
            "owner": "Sofia Marchetti",
            "team": "Card Operations",
            "contact": "#card-ops",
            "description": (
                "Produces and posts physical cards, creates virtual and "
                "single-use cards, manages activation, PIN services and "
                "provisioning to Apple Pay and Google Pay."
            ),
        },
        {
            "id": "payment-rails",
            "name": "Payments and transfers gateway",
            "owner": "Ravi Chandran",
            "team": "Payments Engineering",
            "contact": "#payments-eng",
            "description": (
                "Sends and receives bank transfers over Faster Payments, SEPA "
                "and SWIFT, screens payees, and tracks outgoing payments until "
                "the receiving bank confirms them."
            ),
        },
        {
            "id": "top-up-service",
            "name": "Top-up service",
            "owner": "Hannah Lindqvist",
            "team": "Money In",
            "contact": "#money-in",
            "description": (
                "Lets customers add money with a debit card, open banking or "
                "an incoming transfer, including automatic top-ups, and "
                "returns funds when a top-up cannot be completed."
            ),
        },
        {
            "id": "fx-pricing",
            "name": "FX and pricing engine",
            "owner": "Marcus Webb",
            "team": "Treasury and Pricing",
            "contact": "#fx-pricing",
            "description": (
                "Quotes currency conversion rates for card spending, cash "
                "abroad and in-app exchange, and calculates the fees and "
                "allowances in each customer's plan."
            ),
        },
        {
            "id": "ledger",
            "name": "Core ledger and statements",
            "owner": "Aisha Rahman",
            "team": "Core Banking",
            "contact": "#core-banking",
            "description": (
                "Holds balances and posts every transaction, produces "
                "statements, credits cash and cheque deposits and closes "
                "accounts."
            ),
        },
        {
            "id": "identity",
            "name": "Identity and access",
            "owner": "Tomasz Nowak",
            "team": "Onboarding and Identity",
            "contact": "#identity",
            "description": (
                "Runs KYC and source-of-funds checks at sign-up and later, "
                "stores personal details, and controls app login, passcodes "
                "and trusted devices."
            ),
        },
        {
            "id": "fraud-disputes",
            "name": "Fraud and disputes platform",
            "owner": "Grace Adeyemi",
            "team": "Financial Crime",
            "contact": "#fincrime",
            "description": (
                "Scores transactions for fraud, freezes compromised cards, "
                "and runs chargebacks and claims when customers do not "
                "recognise or did not authorise a payment."
            ),
        },
    ],
    "journey": [
        {
            "id": "sign-up",
            "name": "Sign up",
            "description": "Download the app and open an account.",
        },
        {
            "id": "verify-identity",
            "name": "Verify identity",
            "description": "Prove who you are and, when asked, where your money comes from.",
        },
        {
            "id": "receive-card",
            "name": "Get a card",
            "description": "Receive the physical card, activate it, or create a virtual one.",
        },
        {
            "id": "add-money",
            "name": "Add money",
            "description": "Top up by card, bank transfer, cash or cheque.",
        },
        {
            "id": "pay",
            "name": "Pay and withdraw",
            "description": "Pay in shops and online, use a phone wallet, take cash out.",
        },
        {
            "id": "spend-abroad",
            "name": "Spend abroad",
            "description": "Use the card in other currencies and exchange money in the app.",
        },
        {
            "id": "send-money",
            "name": "Send money",
            "description": "Pay people and businesses by bank transfer, at home and abroad.",
        },
        {
            "id": "manage-account",
            "name": "Manage account",
            "description": (
                "Check transactions and statements, keep the account secure, update details."
            ),
        },
        {
            "id": "close-account",
            "name": "Close account",
            "description": "Withdraw the balance and leave.",
        },
    ],
}

# Helpdesk tags / product areas that usually point to each outcome, system and journey step
# (what a team writes in its mission file so link suggestions can use its own tagging).
MISSION_TAGS = {
    "get-started": ["account"],
    "pay-with-card": ["cards"],
    "move-money": ["transfers", "top-up"],
    "fair-pricing": ["fx", "fees"],
    "stay-safe": ["security"],
    "card-processing": ["cards"],
    "card-issuing": ["cards"],
    "payment-rails": ["transfers"],
    "top-up-service": ["top-up"],
    "fx-pricing": ["fx", "fees"],
    "ledger": ["account"],
    "identity": ["account", "security"],
    "fraud-disputes": ["security"],
    "sign-up": ["account"],
    "verify-identity": ["account"],
    "receive-card": ["cards"],
    "add-money": ["top-up"],
    "pay": ["cards"],
    "spend-abroad": ["fx"],
    "send-money": ["transfers"],
    "manage-account": ["account", "security"],
    "close-account": ["account"],
}
for _section in ("outcomes", "systems", "journey"):
    for _entry in MISSION[_section]:
        if _entry["id"] in MISSION_TAGS:
            _entry["tags"] = MISSION_TAGS[_entry["id"]]

# --------------------------------------------------------------------------
# Issues (ground truth).  rate = average tickets/day over the 112 days before
# story multipliers; kind drives handling (resolution, CSAT, reopens).
# --------------------------------------------------------------------------

KINDS = {
    #            res_h  one_touch csat reopen  priority weights (low,normal,high,urgent)
    "question": (1.5, 0.60, 4.35, 0.030, (0.45, 0.50, 0.05, 0.00)),
    "problem": (4.0, 0.35, 4.05, 0.050, (0.10, 0.65, 0.22, 0.03)),
    "investigation": (10.0, 0.15, 3.80, 0.070, (0.05, 0.55, 0.35, 0.05)),
    "dispute": (20.0, 0.05, 3.55, 0.065, (0.02, 0.45, 0.43, 0.10)),
    "security": (12.0, 0.20, 3.95, 0.040, (0.00, 0.15, 0.45, 0.40)),
}

# id, label, intents, outcome, system, journey_step, product_area, second_area,
# kind, rate, home group, escalation groups, p(handoff)
ISSUE_ROWS = [
    # ---- main issues (merged intents) ----
    (
        "card-payment-declined",
        "Card payment declined",
        ["declined_card_payment", "card_not_working", "contactless_not_working"],
        "pay-with-card",
        "card-processing",
        "pay",
        "cards",
        None,
        "problem",
        5.2,
        "Cards L1",
        ["Fraud & Security", "Cards L1"],
        0.10,
    ),
    (
        "transfer-not-arrived",
        "Transfer hasn't arrived",
        [
            "transfer_not_received_by_recipient",
            "pending_transfer",
            "balance_not_updated_after_bank_transfer",
        ],
        "move-money",
        "payment-rails",
        "send-money",
        "transfers",
        None,
        "investigation",
        6.0,
        "Payments L1",
        ["Payments L2", "Disputes L2"],
        0.18,
    ),
    (
        RISING_ISSUE,
        "Wrong exchange rate charged",
        ["card_payment_wrong_exchange_rate", "wrong_exchange_rate_for_cash_withdrawal"],
        "fair-pricing",
        "fx-pricing",
        "spend-abroad",
        "fx",
        "cards",
        "investigation",
        None,
        "Payments L1",
        ["Disputes L2", "Payments L2"],
        0.10,
    ),
    (
        "unrecognised-payment",
        "Payment not recognised",
        [
            "card_payment_not_recognised",
            "cash_withdrawal_not_recognised",
            "direct_debit_payment_not_recognised",
        ],
        "stay-safe",
        "fraud-disputes",
        "manage-account",
        "security",
        "cards",
        "dispute",
        5.8,
        "Cards L1",
        ["Disputes L2", "Fraud & Security"],
        0.35,
    ),
    (
        "top-up-problem",
        "Top-up failed or pending",
        ["top_up_failed", "pending_top_up", "top_up_reverted"],
        "move-money",
        "top-up-service",
        "add-money",
        "top-up",
        None,
        "problem",
        5.7,
        "Payments L1",
        ["Payments L2", "Fraud & Security"],
        0.12,
    ),
    # ---- the long tail ----
    (
        "card-not-arrived",
        "Card hasn't arrived",
        ["card_arrival", "card_delivery_estimate"],
        "get-started",
        "card-issuing",
        "receive-card",
        "cards",
        None,
        "question",
        1.8,
        "Onboarding",
        ["Cards L1"],
        0.06,
    ),
    (
        "activate-card",
        "Can't activate card",
        ["activate_my_card"],
        "get-started",
        "card-issuing",
        "receive-card",
        "cards",
        None,
        "problem",
        0.9,
        "Onboarding",
        ["Cards L1"],
        0.08,
    ),
    (
        "identity-verification",
        "Identity verification problems",
        ["verify_my_identity", "unable_to_verify_identity", "why_verify_identity"],
        "get-started",
        "identity",
        "verify-identity",
        "account",
        None,
        "security",
        1.6,
        "Onboarding",
        ["Fraud & Security"],
        0.10,
    ),
    (
        "source-of-funds",
        "Source of funds check",
        ["verify_source_of_funds"],
        "get-started",
        "identity",
        "verify-identity",
        "account",
        "security",
        "security",
        0.4,
        "Onboarding",
        ["Fraud & Security"],
        0.25,
    ),
    (
        "charged-twice",
        "Charged twice",
        ["transaction_charged_twice"],
        "know-my-money",
        "card-processing",
        "pay",
        "cards",
        None,
        "investigation",
        0.9,
        "Cards L1",
        ["Disputes L2"],
        0.25,
    ),
    (
        "refund-not-showing",
        "Refund not showing up",
        ["Refund_not_showing_up"],
        "know-my-money",
        "card-processing",
        "pay",
        "cards",
        None,
        "investigation",
        1.0,
        "Cards L1",
        ["Disputes L2"],
        0.20,
    ),
    (
        "request-refund",
        "Refund request",
        ["request_refund"],
        "know-my-money",
        "fraud-disputes",
        "pay",
        "cards",
        None,
        "dispute",
        0.7,
        "Disputes L2",
        ["Cards L1"],
        0.05,
    ),
    (
        "pending-card-payment",
        "Card payment still pending",
        ["pending_card_payment"],
        "know-my-money",
        "card-processing",
        "pay",
        "cards",
        None,
        "problem",
        0.8,
        "Cards L1",
        ["Payments L2"],
        0.05,
    ),
    (
        "reverted-card-payment",
        "Card payment reverted",
        ["reverted_card_payment?"],
        "know-my-money",
        "card-processing",
        "pay",
        "cards",
        None,
        "investigation",
        0.5,
        "Cards L1",
        ["Disputes L2"],
        0.08,
    ),
    (
        "card-payment-fee",
        "Card payment fee charged",
        ["card_payment_fee_charged"],
        "fair-pricing",
        "fx-pricing",
        "pay",
        "fees",
        "cards",
        "question",
        0.7,
        "Cards L1",
        ["Accounts L1"],
        0.05,
    ),
    (
        "cash-withdrawal-fee",
        "ATM withdrawal fee",
        ["cash_withdrawal_charge"],
        "fair-pricing",
        "fx-pricing",
        "pay",
        "fees",
        None,
        "question",
        0.6,
        "Cards L1",
        ["Accounts L1"],
        0.05,
    ),
    (
        "transfer-fee",
        "Transfer fee charged",
        ["transfer_fee_charged"],
        "fair-pricing",
        "fx-pricing",
        "send-money",
        "fees",
        "transfers",
        "question",
        0.5,
        "Payments L1",
        ["Accounts L1"],
        0.05,
    ),
    (
        "exchange-fee",
        "Currency exchange fee",
        ["exchange_charge"],
        "fair-pricing",
        "fx-pricing",
        "spend-abroad",
        "fx",
        "fees",
        "question",
        0.5,
        "Payments L1",
        ["Accounts L1"],
        0.04,
    ),
    (
        "extra-statement-charge",
        "Unknown charge on statement",
        ["extra_charge_on_statement"],
        "know-my-money",
        "ledger",
        "manage-account",
        "fees",
        None,
        "dispute",
        0.6,
        "Accounts L1",
        ["Disputes L2"],
        0.20,
    ),
    (
        "wrong-cash-amount",
        "ATM gave wrong amount",
        ["wrong_amount_of_cash_received"],
        "know-my-money",
        "card-processing",
        "pay",
        "cards",
        None,
        "dispute",
        0.5,
        "Cards L1",
        ["Disputes L2"],
        0.35,
    ),
    (
        "declined-cash-withdrawal",
        "Cash withdrawal declined",
        ["declined_cash_withdrawal"],
        "pay-with-card",
        "card-processing",
        "pay",
        "cards",
        None,
        "problem",
        0.7,
        "Cards L1",
        ["Fraud & Security"],
        0.08,
    ),
    (
        "mobile-wallet",
        "Mobile wallet setup",
        ["apple_pay_or_google_pay"],
        "pay-with-card",
        "card-issuing",
        "pay",
        "cards",
        None,
        "question",
        0.5,
        "Cards L1",
        ["Accounts L1"],
        0.03,
    ),
    (
        "virtual-card",
        "Virtual card problems",
        ["getting_virtual_card", "get_disposable_virtual_card", "virtual_card_not_working"],
        "pay-with-card",
        "card-issuing",
        "receive-card",
        "cards",
        None,
        "problem",
        0.5,
        "Cards L1",
        ["Onboarding"],
        0.04,
    ),
    (
        "pin-blocked",
        "PIN blocked",
        ["pin_blocked"],
        "pay-with-card",
        "card-issuing",
        "pay",
        "cards",
        "security",
        "problem",
        0.6,
        "Cards L1",
        ["Fraud & Security"],
        0.10,
    ),
    (
        "card-swallowed",
        "ATM kept my card",
        ["card_swallowed"],
        "pay-with-card",
        "card-issuing",
        "pay",
        "cards",
        None,
        "problem",
        0.25,
        "Cards L1",
        ["Fraud & Security"],
        0.10,
    ),
    (
        "cancel-transfer",
        "Cancel a transfer",
        ["cancel_transfer"],
        "move-money",
        "payment-rails",
        "send-money",
        "transfers",
        None,
        "problem",
        0.7,
        "Payments L1",
        ["Payments L2"],
        0.15,
    ),
    (
        "transfer-failed",
        "Transfer failed",
        ["failed_transfer", "declined_transfer"],
        "move-money",
        "payment-rails",
        "send-money",
        "transfers",
        None,
        "problem",
        1.0,
        "Payments L1",
        ["Payments L2", "Fraud & Security"],
        0.12,
    ),
    (
        "beneficiary-blocked",
        "Beneficiary not allowed",
        ["beneficiary_not_allowed"],
        "move-money",
        "payment-rails",
        "send-money",
        "transfers",
        "security",
        "problem",
        0.5,
        "Payments L1",
        ["Fraud & Security"],
        0.20,
    ),
    (
        "deposit-not-credited",
        "Cash or cheque deposit missing",
        ["balance_not_updated_after_cheque_or_cash_deposit"],
        "move-money",
        "ledger",
        "add-money",
        "account",
        "top-up",
        "investigation",
        0.7,
        "Payments L1",
        ["Payments L2"],
        0.12,
    ),
    (
        "lost-stolen-card",
        "Lost or compromised card",
        ["lost_or_stolen_card", "compromised_card"],
        "stay-safe",
        "fraud-disputes",
        "manage-account",
        "security",
        "cards",
        "security",
        0.7,
        "Fraud & Security",
        ["Disputes L2"],
        0.20,
    ),
    (
        "lost-phone",
        "Lost or stolen phone",
        ["lost_or_stolen_phone"],
        "stay-safe",
        "identity",
        "manage-account",
        "security",
        None,
        "security",
        0.4,
        "Fraud & Security",
        ["Accounts L1"],
        0.08,
    ),
    (
        "passcode-forgotten",
        "Forgot app passcode",
        ["passcode_forgotten"],
        "stay-safe",
        "identity",
        "manage-account",
        "security",
        "account",
        "question",
        0.5,
        "Accounts L1",
        ["Fraud & Security"],
        0.08,
    ),
    (
        "edit-details",
        "Update personal details",
        ["edit_personal_details"],
        "stay-safe",
        "identity",
        "manage-account",
        "account",
        None,
        "question",
        0.5,
        "Accounts L1",
        ["Onboarding"],
        0.06,
    ),
    (
        "close-account",
        "Close my account",
        ["terminate_account"],
        "stay-safe",
        "ledger",
        "close-account",
        "account",
        None,
        "question",
        0.5,
        "Accounts L1",
        ["Payments L1"],
        0.05,
    ),
]
MAIN_ISSUES = [
    SPIKE_ISSUE,
    "transfer-not-arrived",
    RISING_ISSUE,
    "unrecognised-payment",
    "top-up-problem",
]

ISSUES = []
for row in ISSUE_ROWS:
    (iid, label, intents, outcome, system, step, area, area2, kind, rate, home, esc, p_handoff) = (
        row
    )
    ISSUES.append(
        {
            "id": iid,
            "label": label,
            "intents": intents,
            "outcome": outcome,
            "system": system,
            "journey_step": step,
            "product_area": area,
            "second_area": area2,
            "kind": kind,
            "rate": rate,
            "home": home,
            "escalations": esc,
            "p_handoff": p_handoff,
        }
    )
ISSUE_BY_ID = {i["id"]: i for i in ISSUES}

GROUP_AGENTS = {
    "Cards L1": ["Maya Patel", "Liam O'Brien", "Chloe Martin", "Arjun Mehta", "Ella Novak"],
    "Payments L1": ["Noah Fischer", "Zara Hussain", "Oliver Grant", "Isla Moreno", "Ben Adeyinka"],
    "Payments L2": ["Rachel Kim", "Tom Hughes", "Nadia Petrova"],
    "Accounts L1": ["Sam Turner", "Priya Nair", "Jack Dunn", "Lucy Evans"],
    "Onboarding": ["Hana Sato", "Leo Costa", "Megan Price", "Yusuf Demir"],
    "Disputes L2": ["Claire Dubois", "Kwame Mensah", "Anna Kowalski"],
    "Fraud & Security": ["Ethan Brooks", "Fatima Ali", "Georgia Reid", "Mateo Silva"],
}
GROUPS = list(GROUP_AGENTS)


def agent_name(name: str) -> str:
    first, last = name.split(" ", 1)
    return f"{first} {last[0]}."


# ------------------------------- templates ---------------------------------

FIRST_REPLY = {
    "Cards L1": [
        (
            "Hi, thanks for getting in touch and sorry for the hassle. I've pulled up your card on "
            "my side. Could you tell me roughly when this happened and where, so I can check what "
            "went on?"
        ),
        (
            "Thanks for your message. I'm looking into this with our card team now. In the "
            "meantime please make sure the app is up to date and that the card isn't frozen in "
            "Card settings."
        ),
        (
            "Hello, and thanks for your patience. I can see your card and recent activity here. "
            "Could you confirm the amount and the merchant or cash machine involved?"
        ),
    ],
    "Payments L1": [
        (
            "Hi, thanks for reaching out. I'm checking the payment history on your account now. "
            "Could you share the amount, the date and the reference you used?"
        ),
        (
            "Thanks for contacting Harbor Bank. I've opened the details of this payment and I'm "
            "checking its status with our payments team. I'll update you here shortly."
        ),
        (
            "Hello, sorry for the worry this has caused. I can see your account and I'm going "
            "through the recent transactions now. Is there anything else about this payment I "
            "should know?"
        ),
    ],
    "Payments L2": [
        (
            "Hi, I'm from our payments operations team. I've reviewed the details and I'm "
            "contacting the other bank to find out more. I'll be in touch as soon as I hear back."
        ),
        (
            "Hello, thanks for waiting. I've picked this up and raised a trace with our payment "
            "partner. These usually come back within one to two working days."
        ),
    ],
    "Accounts L1": [
        (
            "Hi, thanks for contacting us. I've had a look at your account settings and I'm happy "
            "to help with this. Could you confirm the email address linked to your profile?"
        ),
        (
            "Hello, thanks for your message. I'm checking your account now and will come back to "
            "you with the next steps."
        ),
        (
            "Thanks for getting in touch. I can help with this; I just need to confirm a couple of "
            "details first. Could you tell me your date of birth as registered with us?"
        ),
    ],
    "Onboarding": [
        (
            "Hi, welcome to Harbor Bank and thanks for your patience. I've had a look at your "
            "application and I'm checking where things are up to."
        ),
        (
            "Hello, thanks for reaching out. I can see your new account here. Let me check the "
            "status with our onboarding team and I'll get back to you."
        ),
        (
            "Thanks for your message. Our checks can take a little longer at busy times; I'm "
            "looking at your profile now to see what's outstanding."
        ),
    ],
    "Disputes L2": [
        (
            "Hi, I'm from our claims team and I've opened a case for this. Could you confirm the "
            "date and amount of each transaction you're asking about?"
        ),
        (
            "Hello, thanks for letting us know. I've started a review of this transaction and may "
            "need to contact the merchant. I'll keep you updated here."
        ),
    ],
    "Fraud & Security": [
        (
            "Hi, I'm from our security team. To keep your account safe I've added extra protection "
            "while we look into this. Please don't share any codes with anyone who contacts you."
        ),
        (
            "Hello, thanks for telling us straight away. I'm reviewing the recent activity on your "
            "account now and will confirm the next steps shortly."
        ),
        (
            "Thanks for getting in touch. Your security is our priority; I'm checking your account "
            "and recent logins now."
        ),
    ],
}
PHONE_FIRST = [
    (
        "Call note: spoke with the customer, confirmed identity and went through the details. "
        "Checking on our side and will follow up."
    ),
    (
        "Call note: customer called in, security questions passed. Explained what we can see in "
        "the account and the next steps."
    ),
    (
        "Call note: took the customer's details over the phone and talked them through what "
        "happens next."
    ),
]
HANDOFF_REPLY = {
    "Cards L1": (
        "Hi, I've picked this up from my colleague on the card team. I'm going through your card "
        "activity now and will update you shortly."
    ),
    "Payments L1": (
        "Hello, your case has been passed to our payments team and I'll be looking after it from "
        "here."
    ),
    "Payments L2": (
        "Hi, I'm from our payments operations team. My colleague has passed your case to me so I "
        "can investigate this payment in more detail."
    ),
    "Accounts L1": (
        "Hello, I've taken over your case from my colleague and I'm checking the settings on your "
        "account now."
    ),
    "Onboarding": (
        "Hi, I'm from the onboarding team and I've picked up your case. I'm reviewing your profile "
        "now."
    ),
    "Disputes L2": (
        "Hi, I'm from our claims team. Your case has been passed to me so we can investigate it "
        "properly; I'll keep you updated here."
    ),
    "Fraud & Security": (
        "Hello, I'm from our security team. Your case has been passed to us as a precaution and "
        "I'm reviewing your account now."
    ),
}
CLOSING = [
    (
        "Glad we could sort this out. I'll mark this as resolved, but just reply here if anything "
        "else comes up."
    ),
    "Everything should be back to normal now. Thanks for your patience and have a good day.",
    "This is now resolved on our side. If you notice anything else, please get back in touch.",
    "Thanks for bearing with us. I've closed this case; reply any time if you need more help.",
    "All done. Thanks for contacting Harbor Bank.",
]
FOLLOW_UP = [
    "Thanks. Any update on this please?",
    "Ok, I've updated the app and it's still the same.",
    "Here are the details you asked for. Let me know if you need anything else.",
    "Thanks for the quick reply. How long will this take?",
    "It happened yesterday afternoon. I've attached a screenshot.",
    "I've checked again and nothing has changed on my side.",
    "Thank you. Please let me know as soon as you hear anything.",
    "Is there anything I need to do in the meantime?",
]
REOPEN = [
    "Sorry, I need to reopen this. The problem is back.",
    "This still isn't resolved, it happened again today.",
    "Hi again, I thought this was sorted but nothing has changed on my side.",
    "I'm afraid it's the same as before. Can someone look at this again?",
]
REOPEN_REPLY = [
    (
        "Sorry to hear this is still happening. I've reopened your case and I'm looking into it "
        "again now."
    ),
    (
        "Thanks for letting us know. I've escalated this internally and will come back to you as "
        "soon as possible."
    ),
    "Apologies for the trouble. I'm checking this again and will update you here.",
]
SUBJECTS = [
    "Question about my account",
    "Help needed",
    "Help please",
    "Problem with my account",
    "Query",
    "Support request",
    "Need some help",
    "Urgent - please help",
    "Quick question",
    "Issue with my Harbor account",
    "Please get back to me",
    "Account query",
]

# --------------------------------------------------------------------------
# App versions / releases
# --------------------------------------------------------------------------

APP_VERSIONS = {
    "ios": [
        ("2026-06-09", "5.8.2"),
        ("2026-06-23", "5.9.0"),
        ("2026-07-14", "5.10.0"),
        ("2026-07-28", "5.11.0"),
        ("2026-08-18", "5.12.0"),
        ("2026-09-01", "5.13.0"),
        ("2026-09-15", "5.14.0"),
        ("2026-09-29", "5.15.0"),
        ("2026-10-13", "5.16.0"),
        ("2026-10-20", "5.16.1"),
    ],
    "android": [
        ("2026-06-09", "5.8.4"),
        ("2026-06-25", "5.9.1"),
        ("2026-07-14", "5.10.0"),
        ("2026-07-28", "5.11.0"),
        ("2026-08-04", "5.11.3"),
        ("2026-08-18", "5.12.0"),
        ("2026-09-01", "5.13.0"),
        ("2026-09-15", "5.14.0"),
        ("2026-09-29", "5.15.0"),
        ("2026-10-13", "5.16.0"),
    ],
}
RELEASE_NOTES = {
    "5.10.0": "Redesigned home screen and spending insights.",
    "5.11.0": "Savings pots and scheduled transfers.",
    "5.11.3": "Android-only patch for a crash on some Samsung devices.",
    "5.12.0": "Card controls moved to a single settings page.",
    "5.13.0": "Split bills with friends; accessibility fixes.",
    "5.14.0": "New statements screen and PDF export.",
    "5.15.0": "Travel mode with spending limits per country.",
    "5.16.0": "Faster login and biometric re-authentication.",
    "5.16.1": "iOS-only patch for widget refresh.",
}

STORY_EVENTS_FIXED = [
    {
        "date": VENDOR_CHANGE.isoformat(),
        "type": "vendor-change",
        "title": "Card processing migrated to the Cardlane gateway",
        "issues": [SPIKE_ISSUE],
        "description": (
            "All card authorisations move from the legacy processor to Cardlane; stricter default "
            "risk rules and a 3-D Secure mismatch start declining good card payments "
            "(>= 3x the prior daily rate for over a week, elevated afterwards)."
        ),
    },
    {
        "date": FIX_DATE.isoformat(),
        "type": "fix",
        "title": "Cardlane gateway config 2.7.1: risk rules retuned, 3DS retry",
        "issues": [SPIKE_ISSUE],
        "description": (
            "Risk thresholds retuned and automatic 3-D Secure retry enabled; the retry also cures "
            "an old contactless timeout, so declines settle at about half of the pre-change rate."
        ),
    },
]
RISING = {
    "id": RISING_ISSUE,
    "start": START.isoformat(),
    "end": END.isoformat(),
    "description": (
        "Complaints about the conversion rate on card payments and cash abroad climb steadily "
        "(about 2.5x from the first to the last four weeks) as more customers travel and the "
        "weekend markup bites; no fix ships during the period."
    ),
}

# --------------------------------------------------------------------------
# Time helpers (local wall-clock, Europe/London)
# --------------------------------------------------------------------------


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return d - timedelta(days=(d.weekday() - 6) % 7)


def london_offset(local: datetime) -> int:
    """UTC offset in hours for a naive London wall-clock time (fold=0)."""
    y = local.year
    bst_start = datetime.combine(_last_sunday(y, 3), datetime.min.time()).replace(hour=1)
    bst_end = datetime.combine(_last_sunday(y, 10), datetime.min.time()).replace(hour=2)
    return 1 if bst_start <= local < bst_end else 0


def iso(local: datetime | None) -> str | None:
    if local is None:
        return None
    tz = timezone(timedelta(hours=london_offset(local)))
    return local.replace(tzinfo=tz).isoformat()


def parse_ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def local_of(s: str) -> datetime:
    """Local wall-clock (naive) of an ISO timestamp written by iso()."""
    return datetime.fromisoformat(s).replace(tzinfo=None)


def is_bday(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def in_bh(t: datetime) -> bool:
    return is_bday(t.date()) and BH_START <= t.hour < BH_END


def next_open(t: datetime) -> datetime:
    if in_bh(t):
        return t
    if is_bday(t.date()) and t.hour < BH_START:
        return t.replace(hour=BH_START, minute=0, second=0)
    d = t.date() + timedelta(days=1)
    while not is_bday(d):
        d += timedelta(days=1)
    return datetime(d.year, d.month, d.day, BH_START)


def add_bmin(t: datetime, minutes: float) -> datetime:
    """Add business minutes (Mon-Fri 08:00-18:00 local, bank holidays closed)."""
    t = next_open(t)
    remaining = max(0.0, minutes)
    while True:
        close = t.replace(hour=BH_END, minute=0, second=0)
        avail = (close - t).total_seconds() / 60.0
        if remaining < avail:
            out = t + timedelta(seconds=round(remaining * 60))
            return out if out < close else close - timedelta(seconds=1)
        remaining -= avail
        t = next_open(close)


def day_index(d: date) -> int:
    return (d - START).days


# --------------------------------------------------------------------------
# Volume model
# --------------------------------------------------------------------------

WEEKDAY_RAW = [1.36, 1.10, 1.07, 1.05, 0.98, 0.60, 0.52]
CARD_WEEKDAY_RAW = [1.15, 1.05, 1.05, 1.05, 1.10, 0.85, 0.70]  # people shop at weekends
SPIKE_MULT = [6.0, 6.8, 6.8, 6.4, 6.2, 5.6, 4.6, 3.6, 2.8, 2.2]
ELEVATED = (1.75, 1.55)  # linear from just after the spike to the day before the fix
FIX_TAIL = [1.2, 0.85, 0.65]
POST_FIX = 0.5
RISING_START = 3.9  # planned tickets/day over the first 4 weeks of the rising issue
RISING_FACTOR = 2.5  # planned last-4-weeks / first-4-weeks


def weekday_factor(d: date, raw: list[float]) -> float:
    mean = sum(raw) / 7.0
    wd = 5 if d in HOLIDAYS else d.weekday()
    return raw[wd] / mean


def story_multiplier(issue_id: str, d: date) -> float:
    if issue_id != SPIKE_ISSUE:
        return 1.0
    k = (d - VENDOR_CHANGE).days
    if k < 0:
        return 1.0
    if k < len(SPIKE_MULT):
        return SPIKE_MULT[k]
    f = (d - FIX_DATE).days
    if f < 0:
        span = (FIX_DATE - VENDOR_CHANGE).days - len(SPIKE_MULT)
        pos = (k - len(SPIKE_MULT)) / max(1, span - 1)
        return ELEVATED[0] + (ELEVATED[1] - ELEVATED[0]) * pos
    if f < len(FIX_TAIL):
        return FIX_TAIL[f]
    return POST_FIX


def daily_series(issue: dict, rng: random.Random) -> list[int]:
    """Poisson daily counts for one issue, following the story.

    The story issues are anchored on what was actually drawn so far, as a
    support lead would describe them: the spike and the post-fix level are
    multiples of the realised 4-week pre-change mean, and the rising issue's
    trend line is re-anchored on its realised first-4-week mean.
    """
    iid = issue["id"]
    raw = CARD_WEEKDAY_RAW if iid == SPIKE_ISSUE else WEEKDAY_RAW
    counts: list[int] = []
    anchor = None
    for t in range(N_DAYS):
        d = START + timedelta(days=t)
        if iid == SPIKE_ISSUE:
            if d >= VENDOR_CHANGE and anchor is None:
                vi = day_index(VENDOR_CHANGE)
                anchor = statistics.fmean(counts[vi - 28 : vi])
            base = issue["rate"] if anchor is None else anchor
            lam = base * story_multiplier(iid, d)
        elif iid == RISING_ISSUE:
            if t == 28:
                anchor = statistics.fmean(counts[:28])
            m1 = RISING_START if anchor is None else anchor
            lam = m1 + (t - 13.5) * (RISING_FACTOR - 1.0) * m1 / 84.0
        else:
            lam = issue["rate"]
        counts.append(poisson(rng, lam * weekday_factor(d, raw)))
    return counts


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


HOUR_WEEKDAY = [
    0.3,
    0.2,
    0.1,
    0.1,
    0.1,
    0.2,
    0.5,
    1.2,
    3.0,
    5.0,
    6.0,
    6.0,
    5.0,
    5.5,
    6.0,
    5.5,
    5.0,
    4.0,
    2.6,
    2.2,
    2.0,
    1.7,
    1.2,
    0.6,
]
HOUR_WEEKEND = [
    0.4,
    0.3,
    0.2,
    0.1,
    0.1,
    0.1,
    0.3,
    0.7,
    1.5,
    2.5,
    3.2,
    3.5,
    3.5,
    3.4,
    3.3,
    3.2,
    3.0,
    2.8,
    2.6,
    2.4,
    2.2,
    1.8,
    1.2,
    0.7,
]


def pick(rng: random.Random, items, weights=None):
    if weights is None:
        return items[rng.randrange(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


def load_banking77(path: Path) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_intent[row["category"]].append(row["text"])
    return {k: sorted(v) for k, v in sorted(by_intent.items())}


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


class TextPool:
    """Cycle through an issue's texts, reshuffling each pass (reuse <= passes)."""

    def __init__(self, texts: list[str], rng: random.Random):
        self.texts = list(texts)
        self.rng = rng
        self.queue: list[str] = []

    def draw(self) -> str:
        if not self.queue:
            self.queue = list(self.texts)
            self.rng.shuffle(self.queue)
        return self.queue.pop()


def lognorm(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def version_for(rng: random.Random, platform: str, d: date) -> str:
    avail = [v for ds, v in APP_VERSIONS[platform] if date.fromisoformat(ds) < d]
    dates = [
        date.fromisoformat(ds) for ds, v in APP_VERSIONS[platform] if date.fromisoformat(ds) < d
    ]
    age = (d - dates[-1]).days
    p_latest = min(0.72, 0.12 + 0.06 * age)
    r = rng.random()
    if r < p_latest or len(avail) == 1:
        v = avail[-1]
    elif r < p_latest + (1 - p_latest) * 0.65 or len(avail) == 2:
        v = avail[-2]
    else:
        v = avail[max(0, len(avail) - 3 - rng.randrange(2))]
    return f"{platform}-{v}"


def generate(banking77: Path, out: Path) -> None:
    texts = load_banking77(banking77)
    for iss in ISSUES:
        for it in iss["intents"]:
            if it not in texts:
                raise SystemExit(f"intent {it!r} not in {banking77}")

    # 1) daily counts and created times --------------------------------------
    series = {iss["id"]: daily_series(iss, rng_for("counts:" + iss["id"])) for iss in ISSUES}
    r_times = rng_for("times")
    raw = []  # (created_local, issue_id, channel)
    days = [START + timedelta(days=i) for i in range(N_DAYS)]
    for d in days:
        for iss in ISSUES:
            n = series[iss["id"]][day_index(d)]
            weekend = d.weekday() >= 5 or d in HOLIDAYS
            hw = HOUR_WEEKEND if weekend else HOUR_WEEKDAY
            for _ in range(n):
                h = pick(r_times, list(range(24)), hw)
                t = datetime(
                    d.year, d.month, d.day, h, r_times.randrange(60), r_times.randrange(60)
                )
                if in_bh(t):
                    p_phone = 0.38 if iss["product_area"] == "security" else 0.2
                    ch = pick(r_times, CHANNELS, [1.0 - 0.45 - p_phone, 0.45, p_phone])
                    if ch == "phone" and t.hour == BH_END - 1 and t.minute >= 50:
                        ch = "chat"
                else:
                    ch = pick(r_times, ["email", "chat"], [0.62, 0.38])
                raw.append((t, iss["id"], ch))
    raw.sort(key=lambda x: (x[0], x[1], x[2]))
    daily_total = Counter(t.date() for t, _, _ in raw)
    med_wd = statistics.median(daily_total[d] for d in days if is_bday(d))
    med_we = statistics.median(daily_total[d] for d in days if not is_bday(d))

    # 2) requesters ------------------------------------------------------------
    r_req = rng_for("requesters")
    used_ids: set[str] = set()
    req_info: dict[str, dict] = {}
    recent: deque = deque()  # (time, requester, issue)
    last_seen: dict[str, datetime] = {}
    all_reqs: list[str] = []
    requesters = []
    p_repeat, p_return = 0.15, 0.065
    for t, iid, _ in raw:
        while recent and (t - recent[0][0]) > timedelta(days=7):
            recent.popleft()
        u = r_req.random()
        chosen = None
        if u < p_repeat and recent:
            same = [x for x in recent if x[2] == iid]
            cands = same if (same and r_req.random() < 0.7) else list(recent)
            weights = [math.exp(-(t - x[0]).total_seconds() / 86400 / 2.0) for x in cands]
            chosen = pick(r_req, cands, weights)[1]
        elif u < p_repeat + p_return and all_reqs:
            for _ in range(10):
                c = all_reqs[r_req.randrange(len(all_reqs))]
                if t - last_seen[c] > timedelta(days=7):
                    chosen = c
                    break
        if chosen is None:
            while True:
                chosen = f"C-{r_req.randrange(100000, 1000000)}"
                if chosen not in used_ids:
                    break
            used_ids.add(chosen)
            all_reqs.append(chosen)
            req_info[chosen] = {
                "platform": "ios" if r_req.random() < 0.55 else "android",
                "app_email": r_req.random() < 0.4,
            }
        last_seen[chosen] = t
        recent.append((t, chosen, iid))
        requesters.append(chosen)

    # 3) tickets -----------------------------------------------------------------
    pools = {}
    for iss in ISSUES:
        pool = sorted(x for it in iss["intents"] for x in texts[it])
        pools[iss["id"]] = TextPool(pool, rng_for("text:" + iss["id"]))
    r = rng_for("tickets")
    spike_end = VENDOR_CHANGE + timedelta(days=14)
    tickets, issue_rows = [], []
    for n, ((t0, iid, ch), req) in enumerate(zip(raw, requesters, strict=True), start=1):
        iss = ISSUE_BY_ID[iid]
        res_h, one_touch, csat_base, p_reopen, prio_w = KINDS[iss["kind"]]
        d0 = t0.date()
        in_spike = iid == SPIKE_ISSUE and VENDOR_CHANGE <= d0 < spike_end
        elevated = iid == SPIKE_ISSUE and spike_end <= d0 < FIX_DATE
        load = daily_total[d0] / (med_wd if is_bday(d0) else med_we)
        load = min(2.5, max(0.8, load))
        text = pools[iid].draw()
        tid = f"HB-{n:06d}"
        info = req_info[req]

        # routing / handoffs
        if r.random() < iss["p_handoff"] * 0.85:
            nh = 2 if r.random() < 0.18 and len(iss["escalations"]) > 1 else 1
        else:
            nh = 0
        chain = [iss["home"], *iss["escalations"][:nh]]
        agents = [agent_name(pick(r, GROUP_AGENTS[g])) for g in chain]

        # first response
        if ch == "phone":
            fr = add_bmin(t0, r.uniform(0.4, 2.5) * load)
        elif ch == "chat":
            if in_bh(t0):
                fr = add_bmin(t0, lognorm(r, 3.0, 0.7) * load)
            else:
                fr = add_bmin(t0, lognorm(r, 25.0, 0.8))
        else:
            fr = add_bmin(t0, lognorm(r, 150.0, 0.8) * load)
        if fr <= t0:
            fr = t0 + timedelta(seconds=30)
        first_body = pick(r, PHONE_FIRST) if ch == "phone" else pick(r, FIRST_REPLY[chain[0]])
        msgs = [
            (t0, req, "customer", text),
            (fr, agents[0], "agent", first_body),
        ]
        tcur = fr
        for k in range(1, len(chain)):
            tcur = add_bmin(tcur, lognorm(r, 150.0, 0.7))
            msgs.append((tcur, agents[k], "agent", HANDOFF_REPLY[chain[k]]))
        if r.random() < 0.30:
            gap = lognorm(r, 4.0, 0.6) if ch in ("chat", "phone") else lognorm(r, 180.0, 0.9)
            tcur = tcur + timedelta(seconds=round(max(1.0, gap) * 60))
            msgs.append((tcur, req, "customer", pick(r, FOLLOW_UP)))
        # resolution
        quick = nh == 0 and r.random() < one_touch * (1.0 if ch != "email" else 0.6)
        if quick:
            dur = r.uniform(2.0, 20.0) if ch != "email" else r.uniform(1.0, 5.0)
        else:
            mult = 1.6 if (in_spike or elevated) else 1.0
            dur = min(60 * 60.0, lognorm(r, res_h * 60.0 * mult, 0.9))
        solve = add_bmin(tcur, dur)
        if solve <= tcur:
            solve = tcur + timedelta(seconds=60)
        closer = agents[-1]
        solves = [solve]
        n_reopen = 0
        pr = p_reopen * (2.0 if (in_spike or elevated) else 1.0)
        want_reopen = r.random() < pr
        want_second = want_reopen and r.random() < 0.12
        if want_reopen or r.random() < 0.5:
            msgs.append((solve, closer, "agent", pick(r, CLOSING)))
        for _ in range(2 if want_second else (1 if want_reopen else 0)):
            tr = solve + timedelta(seconds=round(max(60.0, lognorm(r, 30 * 60.0, 0.8)) * 60))
            if tr > END_LOCAL:
                break
            n_reopen += 1
            msgs.append((tr, req, "customer", pick(r, REOPEN)))
            ta = add_bmin(tr, lognorm(r, 60.0, 0.8))
            msgs.append((ta, closer, "agent", pick(r, REOPEN_REPLY)))
            solve = add_bmin(ta, min(30 * 60.0, lognorm(r, res_h * 30.0, 0.8)))
            if solve <= ta:
                solve = ta + timedelta(seconds=60)
            msgs.append((solve, closer, "agent", pick(r, CLOSING)))
            solves.append(solve)

        # truncate at the end of the period
        msgs = [m for m in msgs if m[0] <= END_LOCAL]
        solved_at = solve if solve <= END_LOCAL else None
        fr_out = fr if fr <= END_LOCAL else None
        if solved_at is not None:
            status = "closed" if solved_at + timedelta(days=4) <= END_LOCAL else "solved"
        else:
            status = "pending" if msgs[-1][2] == "agent" else "open"

        # CSAT
        csat = None
        if solved_at is not None and r.random() < 0.30:
            wall_h = (solved_at - t0).total_seconds() / 3600.0
            s = csat_base - 0.5 * nh - 0.9 * n_reopen
            s -= 1.1 if wall_h > 168 else 0.7 if wall_h > 72 else 0.3 if wall_h > 24 else 0.0
            s -= 1.3 if in_spike else 0.5 if elevated else 0.0
            s += r.gauss(0.0, 0.75)
            csat = int(min(5, max(1, round(s))))

        # tags / priority / version / subject
        tags = [iss["product_area"]]
        if iss["second_area"] and r.random() < 0.35:
            tags.append(iss["second_area"])
        pw = list(prio_w)
        if in_spike:
            pw = [0.0, 0.45, 0.45, 0.10]
        priority = pick(r, PRIORITIES, pw)
        app = None
        if (ch == "chat" and r.random() < 0.9) or (ch == "email" and info["app_email"]):
            app = version_for(r, info["platform"], d0)
        subject = pick(r, SUBJECTS) if ch == "email" else None

        tickets.append(
            {
                "id": tid,
                "created_at": iso(t0),
                "first_response_at": iso(fr_out),
                "solved_at": iso(solved_at),
                "status": status,
                "channel": ch,
                "priority": priority,
                "requester": req,
                "subject": subject,
                "text": text,
                "tags": tags,
                "product_area": iss["product_area"],
                "app_version": app,
                "group": chain[-1],
                "handoffs": nh,
                "csat": csat,
                "reopens": n_reopen,
                "messages": [
                    {"author": a, "role": role, "created_at": iso(ts), "body": body}
                    for ts, a, role, body in msgs
                ],
            }
        )
        issue_rows.append((tid, iid))

    # 4) write ---------------------------------------------------------------------
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "tickets.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for tk in tickets:
            fh.write(json.dumps(tk, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(out / "issues.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "issue"])
        w.writerows(issue_rows)
    dump_yaml(
        out / "mission.yaml",
        MISSION,
        "# Harbor Bank (fictional) mission document for the ticketlens sample.\n"
        "# `tags`: the helpdesk tags / product areas that usually point to an outcome, system\n"
        "# or journey step.\n",
    )
    gt = {
        "issues": [
            {
                k: iss[k]
                for k in (
                    "id",
                    "label",
                    "intents",
                    "outcome",
                    "system",
                    "journey_step",
                    "product_area",
                )
            }
            for iss in ISSUES
        ]
    }
    dump_yaml(
        out / "ground_truth.yaml",
        gt,
        "# Discovery ground truth: each issue, the banking77 intents it lumps together,\n"
        "# and where it sits in mission.yaml. Ticket -> issue mapping is in issues.csv.\n",
    )
    dump_yaml(
        out / "story.yaml",
        story_doc(),
        "# What happens in the simulated 16 weeks (all dates Europe/London).\n",
    )
    report, ok = run_checks(out, banking77)
    (out / "README.md").write_text(readme(report), encoding="utf-8")
    print(report)
    if not ok:
        raise SystemExit("some checks failed")


def story_doc() -> dict:
    events = list(STORY_EVENTS_FIXED)
    by_date: dict[tuple[str, str], list[str]] = defaultdict(list)
    for plat in ("ios", "android"):
        for ds, v in APP_VERSIONS[plat]:
            if START.isoformat() <= ds <= END.isoformat():
                by_date[(ds, v)].append(plat)
    for (ds, v), plats in sorted(by_date.items()):
        names = " and ".join({"ios": "iOS", "android": "Android"}[p] for p in plats)
        events.append(
            {
                "date": ds,
                "type": "release",
                "title": f"Harbor app {v} ({names})",
                "issues": [],
                "description": RELEASE_NOTES[v],
                "versions": [f"{p}-{v}" for p in plats],
            }
        )
    events.sort(key=lambda e: (e["date"], e["type"]))
    return {
        "name": f"{BANK} sample story",
        "period": {"start": START.isoformat(), "end": END.isoformat(), "timezone": TZ_NAME},
        "events": events,
        "rising_issue": RISING,
    }


def dump_yaml(path: Path, data, header: str = "") -> None:
    text = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    path.write_text(header + text, encoding="utf-8")


# --------------------------------------------------------------------------
# Checks (read back the written files)
# --------------------------------------------------------------------------


def load_sample(out: Path):
    with open(out / "tickets.jsonl", encoding="utf-8") as fh:
        tickets = [json.loads(line) for line in fh]
    with open(out / "issues.csv", newline="", encoding="utf-8") as fh:
        issue_of = {row["id"]: row["issue"] for row in csv.DictReader(fh)}
    with open(out / "mission.yaml", encoding="utf-8") as fh:
        mission = yaml.safe_load(fh)
    with open(out / "ground_truth.yaml", encoding="utf-8") as fh:
        gt = yaml.safe_load(fh)
    with open(out / "story.yaml", encoding="utf-8") as fh:
        story = yaml.safe_load(fh)
    return tickets, issue_of, mission, gt, story


def daily_counts(tickets, issue_of, issue_id):
    c = Counter(local_of(t["created_at"]).date() for t in tickets if issue_of[t["id"]] == issue_id)
    return [c[START + timedelta(days=i)] for i in range(N_DAYS)]


def longest_run_from(counts, start_idx, threshold, horizon=21):
    best = cur = 0
    for i in range(start_idx, min(len(counts), start_idx + horizon)):
        cur = cur + 1 if counts[i] >= threshold else 0
        best = max(best, cur)
    return best


def spearman(xs, ys):
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        rk = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                rk[order[k]] = (i + j) / 2.0
            i = j + 1
        return rk

    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    den = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return num / den


def run_checks(out: Path, banking77: Path | None):
    results: list[tuple[bool, str]] = []

    def check(ok, msg):
        results.append((bool(ok), msg))

    tickets, issue_of, mission, gt, story = load_sample(out)
    issues = gt["issues"]
    gt_by_id = {i["id"]: i for i in issues}
    n = len(tickets)
    stats = []  # (name, value)

    # --- format --------------------------------------------------------------
    check(all(list(t) == TICKET_KEYS for t in tickets), "ticket keys exactly as specified")
    check(
        all(list(m) == MESSAGE_KEYS for t in tickets for m in t["messages"]),
        "message keys exactly as specified",
    )
    check(
        [t["id"] for t in tickets] == [f"HB-{i:06d}" for i in range(1, n + 1)],
        "ids HB-000001.. in order",
    )
    created = [parse_ts(t["created_at"]) for t in tickets]
    check(all(a <= b for a, b in pairwise(created)), "tickets in created order")
    all_ts = []
    for t in tickets:
        for k in ("created_at", "first_response_at", "solved_at"):
            if t[k] is not None:
                all_ts.append(t[k])
        all_ts += [m["created_at"] for m in t["messages"]]
    ts_ok = all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in all_ts)
    off_ok = all(
        parse_ts(s).utcoffset() == timedelta(hours=london_offset(local_of(s))) for s in all_ts
    )
    try:
        from zoneinfo import ZoneInfo

        zl = ZoneInfo(TZ_NAME)
        off_ok = off_ok and all(
            parse_ts(s).astimezone(zl).utcoffset() == parse_ts(s).utcoffset() for s in all_ts
        )
    except Exception:  # tzdata not available: own rule only
        pass
    check(ts_ok and off_ok, "timestamps ISO 8601 with Europe/London offsets")
    period_ok = all(START <= local_of(t["created_at"]).date() <= END for t in tickets)
    check(
        period_ok
        and created[0].date() == START
        and local_of(tickets[-1]["created_at"]).date() == END,
        f"created within {START}..{END} (112 days)",
    )
    check(
        all(set(t["tags"]) <= set(AREAS) and t["tags"][0] == t["product_area"] for t in tickets),
        "tags are product areas, first = product_area",
    )
    check(
        all(t["channel"] in CHANNELS and t["priority"] in PRIORITIES for t in tickets),
        "channel/priority values",
    )
    check(all(re.fullmatch(r"C-\d{6}", t["requester"]) for t in tickets), "requester ids C-nnnnnn")
    check(all(t["group"] in GROUPS for t in tickets), "groups known")

    # --- thread ordering -------------------------------------------------------
    order_ok = True
    for t in tickets:
        c = parse_ts(t["created_at"])
        fr = parse_ts(t["first_response_at"]) if t["first_response_at"] else None
        so = parse_ts(t["solved_at"]) if t["solved_at"] else None
        mt = [parse_ts(m["created_at"]) for m in t["messages"]]
        ok = (
            t["messages"][0]["role"] == "customer"
            and t["messages"][0]["body"] == t["text"]
            and mt[0] == c
            and t["messages"][0]["author"] == t["requester"]
            and all(a <= b for a, b in pairwise(mt))
        )
        if fr is not None:
            first_agent = next(m for m in t["messages"] if m["role"] == "agent")
            ok = ok and fr > c and parse_ts(first_agent["created_at"]) == fr
        if so is not None:
            ok = ok and fr is not None and so > fr and all(x <= so for x in mt)
        ok = ok and all(
            m["author"] == t["requester"] for m in t["messages"] if m["role"] == "customer"
        )
        order_ok = order_ok and ok
    check(order_ok, "per ticket: created < first_response < solved; messages ordered")
    end_ok = all(local_of(s) <= END_LOCAL for s in all_ts)
    check(end_ok, "nothing after the end of the period (incl. solved_at)")
    agent_bh = all(
        in_bh(local_of(m["created_at"]))
        for t in tickets
        for m in t["messages"]
        if m["role"] == "agent"
    )
    agent_bh = agent_bh and all(in_bh(local_of(t["solved_at"])) for t in tickets if t["solved_at"])
    check(agent_bh, "agent messages and solves within business hours (Mon-Fri 08-18 local)")

    # --- texts -------------------------------------------------------------------
    reuse = Counter(t["text"] for t in tickets)
    reuse_max = max(reuse.values())
    check(reuse_max <= MAX_REUSE, f"text reuse max {reuse_max} <= {MAX_REUSE}")
    stats.append(("distinct texts", f"{len(reuse)}"))
    if banking77 is not None and Path(banking77).exists():
        b77 = {}
        with open(banking77, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                b77[row["text"]] = row["category"]
        ok = all(
            t["text"] in b77 and b77[t["text"]] in gt_by_id[issue_of[t["id"]]]["intents"]
            for t in tickets
        )
        check(ok, "every text is a banking77 train text of one of its issue's intents")
        bodies = Counter(m["body"] for t in tickets for m in t["messages"] if m["body"] in b77)
        check(
            max(bodies.values()) <= MAX_REUSE, "banking77 texts used <= 3 times across all messages"
        )
    labels = [i["label"].lower() for i in issues]
    leak = [
        m["body"]
        for t in tickets
        for m in t["messages"]
        if m["role"] == "agent" and any(lb in m["body"].lower() for lb in labels)
    ]
    check(not leak, "agent replies never contain an issue label")
    subj_ok = all((t["subject"] is None) == (t["channel"] != "email") for t in tickets)
    subj_ok = subj_ok and all(t["subject"] in SUBJECTS for t in tickets if t["subject"])
    check(subj_ok, "subject only on email, from a generic list")
    raw_jsonl = (out / "tickets.jsonl").read_text(encoding="utf-8")
    check(not any(f'"{i["id"]}"' in raw_jsonl for i in issues), "no issue id in tickets.jsonl")

    # --- issues --------------------------------------------------------------------
    check(
        set(issue_of) == {t["id"] for t in tickets} and len(issue_of) == n,
        "issues.csv covers exactly the tickets",
    )
    check(set(issue_of.values()) <= set(gt_by_id), "issues.csv slugs exist in ground_truth")
    per_issue = Counter(issue_of.values())
    check(
        len(issues) >= 25 and all(per_issue[i["id"]] > 0 for i in issues),
        f"{len(issues)} issues (>= 25), all used",
    )
    check(
        all(
            2 <= len(i["label"].split()) <= 5 and re.fullmatch(r"[a-z0-9-]+", i["id"])
            for i in issues
        ),
        "labels 2-5 words, slug ids",
    )
    main_rates = {i: per_issue[i] / N_DAYS for i in MAIN_ISSUES}
    check(
        4 <= len(MAIN_ISSUES) <= 6 and all(v >= 5.0 for v in main_rates.values()),
        "main issues average >= 5 tickets/day: "
        + ", ".join(f"{k} {v:.2f}" for k, v in main_rates.items()),
    )
    check(
        all(len(gt_by_id[i]["intents"]) >= 2 for i in MAIN_ISSUES), "main issues lump 2-3 intents"
    )

    # --- mission / ground truth ------------------------------------------------------
    oids = [o["id"] for o in mission["outcomes"]]
    sids = [s["id"] for s in mission["systems"]]
    jids = [j["id"] for j in mission["journey"]]
    check(
        4 <= len(oids) <= 6 and 5 <= len(sids) <= 8,
        f"mission: {len(oids)} outcomes, {len(sids)} systems",
    )
    check(
        all(
            i["outcome"] in oids and i["system"] in sids and i["journey_step"] in jids
            for i in issues
        ),
        "ground-truth outcome/system/journey ids exist in mission.yaml",
    )
    check(
        set(oids) == {i["outcome"] for i in issues} and set(sids) == {i["system"] for i in issues},
        "every outcome and system used by >= 1 issue",
    )
    mission_text = yaml.safe_dump(mission).lower()
    check(
        sum(i["label"].lower() in mission_text for i in issues) == 0,
        "mission text does not paste issue labels",
    )

    # --- weekly / daily / hourly shape -----------------------------------------------------
    by_day = Counter(local_of(t["created_at"]).date() for t in tickets)
    dow = defaultdict(list)
    for i in range(N_DAYS):
        d = START + timedelta(days=i)
        dow[d.weekday()].append(by_day[d])
    dow_mean = [statistics.fmean(dow[k]) for k in range(7)]
    wkday, wkend = statistics.fmean(dow_mean[:5]), statistics.fmean(dow_mean[5:])
    check(0.45 <= wkend / wkday <= 0.60, f"weekend/weekday ratio {wkend / wkday:.2f} in 0.45-0.60")
    check(dow_mean[0] == max(dow_mean), "Monday busiest")
    phone_bh = all(in_bh(local_of(t["created_at"])) for t in tickets if t["channel"] == "phone")
    share_bh = {
        ch: statistics.fmean(
            in_bh(local_of(t["created_at"])) for t in tickets if t["channel"] == ch
        )
        for ch in CHANNELS
    }
    check(
        phone_bh and share_bh["chat"] > share_bh["email"],
        "phone only in business hours; email more off-hours than chat",
    )
    fr_min = defaultdict(list)
    for t in tickets:
        if t["first_response_at"] and in_bh(local_of(t["created_at"])):
            fr_min[t["channel"]].append(
                (parse_ts(t["first_response_at"]) - parse_ts(t["created_at"])).total_seconds() / 60
            )
    med_fr = {ch: statistics.median(v) for ch, v in fr_min.items()}
    check(
        med_fr["chat"] < 15 and med_fr["phone"] < 5 and med_fr["email"] > 60,
        "first response: chat/phone minutes, email hours",
    )
    fri_eve = [
        t
        for t in tickets
        if local_of(t["created_at"]).weekday() == 4
        and local_of(t["created_at"]).hour >= BH_END
        and t["first_response_at"]
    ]
    off_ok = all(
        local_of(t["first_response_at"]) >= next_open(local_of(t["created_at"]))
        for t in tickets
        if t["first_response_at"]
    )
    check(
        off_ok and fri_eve and all(local_of(t["first_response_at"]).weekday() < 5 for t in fri_eve),
        "off-hours tickets wait for the next business opening (Friday evening -> Monday or later)",
    )
    app = [t["app_version"] for t in tickets if t["app_version"]]
    app_share = len(app) / n
    check(
        0.4 <= app_share <= 0.6
        and all(re.fullmatch(r"(ios|android)-\d+\.\d+\.\d+", v) for v in app)
        and all(t["app_version"] is None for t in tickets if t["channel"] == "phone"),
        f"app_version on {app_share:.0%} of tickets (not phone)",
    )
    rel = {f"{p}-{v}": date.fromisoformat(ds) for p in APP_VERSIONS for ds, v in APP_VERSIONS[p]}
    check(
        all(
            rel[t["app_version"]] < local_of(t["created_at"]).date()
            for t in tickets
            if t["app_version"]
        ),
        "app versions already released when used",
    )
    first4 = Counter(
        t["app_version"].split("-")[1]
        for t in tickets
        if t["app_version"] and day_index(local_of(t["created_at"]).date()) < 28
    ).most_common(1)[0][0]
    last4 = Counter(
        t["app_version"].split("-")[1]
        for t in tickets
        if t["app_version"] and day_index(local_of(t["created_at"]).date()) >= N_DAYS - 28
    ).most_common(1)[0][0]
    check(
        tuple(map(int, last4.split("."))) > tuple(map(int, first4.split("."))),
        f"app version rolls forward ({first4} -> {last4})",
    )

    # --- handoffs / requesters / status / csat / reopens -------------------------------------
    ho = Counter(t["handoffs"] for t in tickets)
    ho_share = sum(v for k, v in ho.items() if k >= 1) / n
    check(0.10 <= ho_share <= 0.15 and max(ho) <= 3, f"handoffs >= 1 on {ho_share:.1%} (10-15%)")
    ho_issue = {
        i: statistics.fmean(t["handoffs"] > 0 for t in tickets if issue_of[t["id"]] == i)
        for i in gt_by_id
    }
    check(
        max(ho_issue.values()) >= 2 * ho_share and min(ho_issue.values()) <= 0.5 * ho_share,
        f"handoffs vary by issue ({min(ho_issue.values()):.0%}..{max(ho_issue.values()):.0%})",
    )
    by_req = defaultdict(list)
    for t in tickets:
        by_req[t["requester"]].append(parse_ts(t["created_at"]))
    repeat = sum(
        any((b - a) <= timedelta(days=7) for a, b in pairwise(v)) for v in by_req.values()
    ) / len(by_req)
    three = sum(len(v) >= 3 for v in by_req.values()) / len(by_req)
    check(
        0.10 <= repeat <= 0.20, f"repeat contact within 7 days: {repeat:.1%} of requesters (10-20%)"
    )
    check(0.03 <= three <= 0.08, f"requesters with 3+ tickets: {three:.1%} (3-8%)")
    st = Counter(t["status"] for t in tickets)
    check(set(st) <= {"open", "pending", "solved", "closed"}, "status values")
    check((st["solved"] + st["closed"]) / n >= 0.9, "mostly solved/closed")
    unsolved = [t for t in tickets if t["status"] in ("open", "pending")]
    check(
        all(t["solved_at"] is None for t in unsolved)
        and all(t["solved_at"] is not None for t in tickets if t["status"] in ("solved", "closed")),
        "solved_at set iff solved/closed",
    )
    check(
        unsolved
        and all(day_index(local_of(t["created_at"]).date()) >= N_DAYS - 28 for t in unsolved),
        "open/pending only in the last 4 weeks",
    )
    solved = [t for t in tickets if t["status"] in ("solved", "closed")]
    rated = [t for t in solved if t["csat"] is not None]
    cov = len(rated) / len(solved)
    check(
        0.25 <= cov <= 0.35
        and all(t["csat"] is None for t in unsolved)
        and all(t["csat"] in (1, 2, 3, 4, 5) for t in rated),
        f"CSAT on {cov:.1%} of solved (25-35%)",
    )

    def mean_csat(pred):
        v = [t["csat"] for t in rated if pred(t)]
        return statistics.fmean(v) if v else float("nan")

    def res_h(t):
        return (parse_ts(t["solved_at"]) - parse_ts(t["created_at"])).total_seconds() / 3600

    spike_end = VENDOR_CHANGE + timedelta(days=14)
    c_all = mean_csat(lambda t: True)
    c_ho, c_noho = mean_csat(lambda t: t["handoffs"] > 0), mean_csat(lambda t: t["handoffs"] == 0)
    c_re, c_nore = mean_csat(lambda t: t["reopens"] > 0), mean_csat(lambda t: t["reopens"] == 0)
    c_slow, c_fast = mean_csat(lambda t: res_h(t) > 72), mean_csat(lambda t: res_h(t) <= 24)
    c_spk = mean_csat(
        lambda t: (
            issue_of[t["id"]] == SPIKE_ISSUE
            and VENDOR_CHANGE <= local_of(t["created_at"]).date() < spike_end
        )
    )
    c_spk_other = mean_csat(
        lambda t: (
            issue_of[t["id"]] == SPIKE_ISSUE
            and not VENDOR_CHANGE <= local_of(t["created_at"]).date() < FIX_DATE
        )
    )
    check(
        c_ho < c_noho and c_re < c_nore and c_slow < c_fast and c_spk < c_spk_other - 0.5,
        "CSAT lower for handed-off, reopened, slow tickets and the spike issue during the spike",
    )
    re_share = sum(t["reopens"] >= 1 for t in tickets) / n
    check(
        0.03 <= re_share <= 0.07 and max(t["reopens"] for t in tickets) <= 2,
        f"reopens on {re_share:.1%} (3-7%)",
    )
    reo_ok = True
    for t in tickets:
        if t["reopens"]:
            roles = [m["role"] for m in t["messages"]]
            reo_ok = reo_ok and "agent" in roles[1:-1] and roles.count("customer") >= 2
    check(reo_ok, "reopened tickets have a customer message after a solve")
    slow_med = statistics.median(
        [res_h(t) for t in solved if ISSUE_BY_ID[issue_of[t["id"]]]["kind"] == "dispute"]
    )
    all_med = statistics.median([res_h(t) for t in solved])
    check(
        slow_med > 2 * all_med,
        f"disputes slower: median {slow_med:.1f} h vs {all_med:.1f} h overall",
    )

    # --- story ---------------------------------------------------------------------------------
    ev = story["events"]
    vc = [e for e in ev if e["type"] == "vendor-change"]
    fx = [e for e in ev if e["type"] == "fix"]
    check(
        len(vc) == 1
        and len(fx) == 1
        and all(e["type"] in ("vendor-change", "fix", "release") for e in ev)
        and any(e["type"] == "release" for e in ev),
        "story: one vendor change, one fix, releases",
    )
    vday, fday = date.fromisoformat(vc[0]["date"]), date.fromisoformat(fx[0]["date"])
    sp = vc[0]["issues"][0]
    check(
        vday.weekday() == 1
        and 5 <= day_index(vday) // 7 + 1 <= 7
        and 10 <= day_index(fday) // 7 + 1 <= 11,
        f"vendor change Tuesday week {day_index(vday) // 7 + 1}, "
        f"fix week {day_index(fday) // 7 + 1}",
    )
    counts = daily_counts(tickets, issue_of, sp)
    vi, fi = day_index(vday), day_index(fday)
    pre = statistics.fmean(counts[vi - 28 : vi])
    run = longest_run_from(counts, vi, 3 * pre)
    spike_days = counts[vi : vi + run]
    check(run >= 5, f"spike: {run} consecutive days >= 3x pre-change mean {pre:.2f}/day")
    post_start = fi + (7 - (START + timedelta(days=fi)).weekday())  # next Monday after the fix
    post = counts[post_start:]
    check(len(post) >= 35 and len(post) % 7 == 0, f"{len(post) // 7} full weeks after the fix")
    fix_ratio = statistics.fmean(post) / pre
    check(0.4 <= fix_ratio <= 0.6, f"post-fix rate {fix_ratio:.2f}x pre-change (0.4-0.6)")
    between = counts[vi + run : fi]
    check(
        statistics.fmean(between) > 1.2 * pre,
        f"elevated between spike and fix ({statistics.fmean(between) / pre:.2f}x)",
    )
    ri = story["rising_issue"]["id"]
    rc = daily_counts(tickets, issue_of, ri)
    rise = statistics.fmean(rc[-28:]) / statistics.fmean(rc[:28])
    weekly = [sum(rc[i : i + 7]) for i in range(0, N_DAYS, 7)]
    rho = spearman(list(range(len(weekly))), weekly)
    check(
        2.0 <= rise <= 3.0
        and rho >= 0.8
        and not any(ri in e["issues"] for e in ev if e["type"] == "fix"),
        f"rising issue: last/first 4 weeks {rise:.2f}x, weekly Spearman {rho:.2f}, no fix",
    )

    # --- size ----------------------------------------------------------------
    sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
    total = sum(v for k, v in sizes.items() if k != "README.md")  # README embeds this report
    check(total + 64_000 < MAX_BYTES, f"sample size {total / 1e6:.2f} MB (+ README) < 10 MB")

    # --- stats table ---------------------------------------------------------
    lines = []
    lines.append(
        f"tickets                 {n}  ({n / N_DAYS:.1f}/day; {len(by_req)} requesters; "
        f"{len(issues)} issues)"
    )
    lines.append(
        "per weekday (Mon..Sun)  "
        + " ".join(f"{x:.1f}" for x in dow_mean)
        + f"  (weekend/weekday {wkend / wkday:.2f})"
    )
    lines.append(
        "channels                "
        + ", ".join(f"{ch} {sum(t['channel'] == ch for t in tickets) / n:.0%}" for ch in CHANNELS)
    )
    lines.append(
        "status                  "
        + ", ".join(f"{k} {st[k]}" for k in ("closed", "solved", "pending", "open"))
    )
    lines.append(f"text reuse max          {reuse_max}  ({len(reuse)} distinct texts)")
    lines.append(f"repeat contact (<=7d)   {repeat:.1%} of requesters; 3+ tickets {three:.1%}")
    lines.append(f"handoffs >= 1           {ho_share:.1%}")
    lines.append(
        f"CSAT coverage           {cov:.1%} of solved; mean {c_all:.2f} (handoff {c_ho:.2f}, "
        f"reopened {c_re:.2f}, >72h {c_slow:.2f}, spike issue in spike {c_spk:.2f})"
    )
    lines.append(f"reopen share            {re_share:.1%}")
    lines.append(f"app_version share       {app_share:.1%}  ({first4} -> {last4})")
    lines.append(
        f"first response median   chat {med_fr['chat']:.1f} min, phone {med_fr['phone']:.1f} min, "
        f"email {med_fr['email'] / 60:.1f} h (business-hours arrivals)"
    )
    lines.append(
        f"spike ({sp})  pre-change {pre:.2f}/day; {run} days >= 3x: "
        + " ".join(str(x) for x in spike_days)
        + f"  (min ratio {min(spike_days) / pre:.2f}x, max {max(spike_days) / pre:.2f}x)"
    )
    lines.append(
        f"fix effect              {statistics.fmean(post):.2f}/day over {len(post) // 7} weeks "
        f"= {fix_ratio:.2f}x pre-change"
    )
    lines.append(
        f"rising ({ri})  {statistics.fmean(rc[:28]):.2f}/day -> "
        f"{statistics.fmean(rc[-28:]):.2f}/day = {rise:.2f}x"
    )
    lines.append("")
    lines.append(f"{'issue':28s} {'tickets':>7s} {'per day':>7s}")
    for iid, c in sorted(per_issue.items(), key=lambda x: (-x[1], x[0])):
        star = " *" if iid in MAIN_ISSUES else ""
        lines.append(f"{iid:28s} {c:7d} {c / N_DAYS:7.2f}{star}")
    lines.append("(* main issues)")
    lines.append("")
    lines.append(
        "files: " + ", ".join(f"{k} {v / 1e3:.0f} kB" for k, v in sizes.items() if k != "README.md")
    )
    lines.append("")
    n_fail = sum(not ok for ok, _ in results)
    for ok, msg in results:
        lines.append(("PASS  " if ok else "FAIL  ") + msg)
    lines.append(f"{len(results) - n_fail}/{len(results)} checks passed")
    return "\n".join(lines), n_fail == 0


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------


README_FILES = [
    (
        "tickets.jsonl",
        "one ticket per line: times, channel, requester, opening text, tags, group, handoffs, "
        "CSAT, reopens, message thread",
    ),
    (
        "issues.csv",
        "`id,issue`: the discovery ground truth (ticket id -> issue slug); not in `tickets.jsonl`",
    ),
    (
        "ground_truth.yaml",
        "each issue: label, banking77 intents, and the outcome / system / journey step / "
        "product area it belongs to",
    ),
    (
        "mission.yaml",
        "the bank's mission, outcomes, systems (with owners) and customer journey",
    ),
    (
        "story.yaml",
        "what happens in the period: a card-processor change, its fix, app releases, "
        "a rising issue",
    ),
]


def readme(report: str) -> str:
    main = ", ".join(f"`{i}`" for i in MAIN_ISSUES)
    files_table = "\n".join(f"| `{name}` | {what} |" for name, what in README_FILES)
    regen_cmd = (
        "python scripts/make_sample.py            "
        "# needs ../shared/data/banking77/train.csv (or --banking77 PATH)"
    )
    return f"""# Harbor Bank sample support stream

A small, deterministic support-ticket stream for a fictional mobile-first bank,
**Harbor Bank** (cards, transfers, top-ups, FX), used by ticketlens for demos
and tests. It covers 16 weeks, {START} (Monday) to {END} (Sunday), in the
workspace time zone {TZ_NAME}.

| file | what |
| --- | --- |
{files_table}

## What is real and what is simulated

**Real:** the opening customer message of every ticket (`text`, also the first
message of `messages`) is a verbatim query from the **banking77** train split,
and each issue corresponds to one or a few banking77 intents. banking77 is by
PolyAI, licensed **CC BY 4.0** (https://github.com/PolyAI-LDN/task-specific-datasets).
Please cite:

> Casanueva, I., Temcinas, T., Gerz, D., Henderson, M., Vulic, I. (2020).
> Efficient Intent Detection with Dual Sentence Encoders. arXiv:2003.04807.

No text is used more than {MAX_REUSE} times (the largest intents have fewer than 190
texts, so the main issues lump 2-3 related intents together).

**Simulated:** everything else. The bank, its mission document, people and
systems are fictional; dates and times, requesters, channels, priorities,
groups and handoffs, app versions, response and resolution times, CSAT,
reopens, the agent and follow-up messages (generic templates) and the story
are generated by `scripts/make_sample.py` with a fixed seed.

## The story

1. **{VENDOR_CHANGE} (Tuesday, week 6): card-processor change.** Card payments
   move to a new gateway vendor; `{SPIKE_ISSUE}` jumps to more than 3x its
   previous daily rate for over a week and stays elevated.
2. **{FIX_DATE} (week 10): fix.** A gateway configuration fix ships; the issue
   falls to about half of its pre-change rate for the remaining six weeks.
3. **Rising issue:** `{RISING_ISSUE}` grows steadily (about 2.5x from the
   first to the last four weeks) with no fix.

App releases are listed in `story.yaml` too. Main issues (>= 5 tickets/day on
average): {main}. Weekdays are busier than weekends (Monday busiest), agents
work Mon-Fri 08:00-18:00 local (the {HOLIDAYS[0]} bank holiday is closed), so
evening and weekend tickets wait for the next business morning. Tickets still
open at the end of the period have status `open`/`pending` and no `solved_at`.

## Regenerate and check

```sh
{regen_cmd}
python scripts/make_sample.py --check    # verify every constraint on the written files
```

Output is byte-identical across runs. `tests/test_sample.py` re-checks the key
properties from the committed files only.

## Stats (output of `--check`)

```
{report}
```
"""


# --------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--banking77", type=Path, default=DEFAULT_BANKING77, help="banking77 train.csv")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--check", action="store_true", help="only verify the written files")
    args = ap.parse_args(argv)
    if args.check:
        report, ok = run_checks(args.out, args.banking77)
        print(report)
        return 0 if ok else 1
    generate(args.banking77, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
