from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "audit_head" (
    "id" SMALLINT NOT NULL PRIMARY KEY,
    "seq" BIGINT NOT NULL,
    "last_hash" VARCHAR(64) NOT NULL
);
COMMENT ON TABLE "audit_head" IS 'The chain''s one head row (id 1): the last `seq` given out and that record''s hash.';
        CREATE TABLE IF NOT EXISTS "inbound_seen" (
    "key" VARCHAR(160) NOT NULL PRIMARY KEY,
    "created_at" BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_inbound_see_created_41a7a4" ON "inbound_seen" ("created_at");
        ALTER TABLE "audit_log" ADD "prev_hash" VARCHAR(64);
        ALTER TABLE "audit_log" ADD "seq" BIGINT UNIQUE;
        ALTER TABLE "audit_log" ADD "hash" VARCHAR(64);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "uid_audit_log_seq_7f5c19";
        ALTER TABLE "audit_log" DROP COLUMN "prev_hash";
        ALTER TABLE "audit_log" DROP COLUMN "seq";
        ALTER TABLE "audit_log" DROP COLUMN "hash";
        DROP TABLE IF EXISTS "audit_head";
        DROP TABLE IF EXISTS "inbound_seen";"""


MODELS_STATE = (
    "eJztHWtT20jyr0z5y5EqLwcmENa5uioDIvhibNY2ye7GW/IgjbEOeeToAeHu8t+vZ/Swnr"
    "ZkJKMo+pLgmemR1D3Tr+nu+W9joclENfY7y6WuPWJ1aKmk0Ub/bVC8YH/E9jdRAy+Xq17W"
    "YOI7Dsl6+EhRd4feGaaOJRM6Z1g1CDTJxJB0ZWkqGmUg4zlBmi4TnchI11RiIHOOTWTPRB"
    "BGOvlqEcNE5vOSvEdf/kILgqmBqIbcpyHDJMt99jhZk+B5Cr3PfWaLKjBYNLV7Ys6JDvN/"
    "+QuaFSqTb8Rwfy4fxJlCVDmARecxInsMm4qPsH9B7/kc6wK1FpestUsNE1OJD5PvRElTrQ"
    "WNm2P5bM416k0CH81a7wklOjaJ7EM3tVTVIY/bZH8LNJi6RbyPkFcNMplhS2VEY9D2u6za"
    "GqLYH4zFkTAWxUaUoJ+Eq+55TxDPBoOP3f6HNnokc0VSiXinaQ9Amgm97Jx3e93xH+JQGA"
    "nDT51xd9BnbycpqmI+izoxiP6I2XwTOhRuOt0hjPztVhiN20CzJVZ00cFHmObO60oaZctO"
    "oabBKbHA30SV0HtzDj+PWt/tL1rRwR7FX74zPL/qDPeOWm/Y3BqsXXtl952eFu/6zqfAJr"
    "Yn4fT3EZwttiil/zUa9DmVo9R1AUJklRXJRP9DqmJ/aVbyug0r+q72oEfMf8wsKjFcoztL"
    "UU2FGvvsef9sZCO7u1A2EmMN8hmC2MwLw/iq+pG+d935PUyP897gjKNMM8x7nc/CJzgD4r"
    "CtOHvw0YY13GHp4Qnrshjp0Vpa0tho16K1CLdgiu85etkXs+9z+OYFrFXdXBBqxnFVX+9a"
    "nioHx21iqMmEeAELU+Tocu5SM34124NDS1mhWy3hIjhU6qUKbwv//dI6fPvu7enRydtTGM"
    "Jf02t5t2Y1d/vjDXyC/x8rEOIR647Ph/mn4Q5FIjfAlA8PDlJwZRiVyJZ5H8P3Cr+wb2DX"
    "iJkWbwBmqzXsrNDS4DmHRRzhp2EcRxF8qelEuacfyXNEsQlhNZYd/lg4/u6uIrd19Yo6fv"
    "L4aXBxAQrgw4nJkQCa0HjYPQdkJ4uqFdKluaLKMFUU7WcO5OXHIVG5CvVzYTyw/y3QI2P0"
    "sCw4uoUpfkDmmoieItWdS0eBj1N2vL61qs7MP2qj5dhBzKJgsGipYonso8GSUEALmmuWbi"
    "DYbEjVJLDi7ixDocQAA1BZELQ3PQMUj7vXwp+DvjB9gx7IEsxCI2JA5v2ACZ00rq7a19eT"
    "BjLJN7MNNigbhWzxg540S5WRrON7NNZ0U1MM8jcD3Y7PYQB9hLXMtHQgJtin6Amr6i8SPP"
    "1hQsFQtchLrdQ4KZmsisTKxxJZoVuqIcXbhrXO5yH75G0KZJ+8TUQ26woqfC/xsOTrWSkG"
    "0Y1rQRh3+x/E4WBw3UYLQsBevxd1TVtMaOf2ojseDLu30IMtWTE1XbEWzINyLtwwF4sDpR"
    "OJ8AkduA9/QOP9M/x13umPBcEdJ2FqEmKPek0/y4q8zEEhsxfIsH/8MGUmbWn2kISXIIVt"
    "GZzSZvKD5GP2vzaOczH8fUyfENkQXadyjEaqaSrBNEECRIBDOAYlRS0KyV7Lbj2BZ4NBL+"
    "AJPOuOQ0v49vpMGO4d8pUNgxTbjoriXgOVTZzpNg9LyzUCQBVkG8cpuMZxItM4DvMMji5T"
    "y4xhG6TG7yb8ghmkPMZoNmv5xgpoh/zCVd1/KHaR4bggcqr3Qv/CcHWOVREHTJEeBu6Nif"
    "EuuF6aZM+C5Y5I4VVYkMUd0ZE2Q2BDg2mvE2ztoymbQpGnSDF4+2dyri2Q3Yj2WAvFpqVj"
    "Faz95zfR0+gc5y3bQY6zNMtr4xd8jmMTK4v0W0FUzoWSv0VSu0wKRG6tWuzMElkd5Gc7ko"
    "zA1Tb25nPJYNTELs8my4botIeTkWX2ggNKFtAkqgp9yOH4bajZoYQVQXuAJTihcS/E0id7"
    "lgoZEQEJ5caUsljMF2LKjWQdwVRVXVO7Nkx/SCRhwwAJQGLE8M9tvQf0FR2UvBfGmFQPQ0"
    "X7N7i4S/BxuKJwvZ9D1N1hG50dA0p4aDxzSmjwNwNnUQl8PgTUmhOdRc1TaGPBtTwUGRma"
    "HUnPXReG+KSYc/7MacTpkfP8E6oYCLMYCL4mEKwU/Rmx0GXNnCNmn99hgxhJTpIvnhuIY+"
    "iv2mnyik4Td5FulQ3hwBZl4eeRBjEady4v2wi+YDab0AvhZixeCZ2LNgI92xTnBMsTetkT"
    "APq60+98EIbwIiohpmhzBx1ght1PrJnzYd1Lhbjojm464/Mr1uVkQ8iKscSmNPeN+jwYfv"
    "SNeNL0B9brpV50Lq67/qQLLC8UOqFOM/9VjkN/ztEy7UAfRG0pb7aUXZ74Qhu5YpGSzZB1"
    "7FtUAbv4vDM671wI68ziIjUG1/SLURh8VmGyvvDoG1SdzJKfXbYuQS3P5DL3ACp3HHF4ki"
    "av5CQ5reQkLJD4LsqCXA+gPpBIcSBhEBznuxgtsKomMgYPqEoC/6j17sTjDOzHOqYwuu70"
    "etEzB4WKLJlWkbIe8QQB62OeDMc8XF3PeMTjh6mzzjaf7nB87U5rLRl2Ux/p+JdVQG2FN0"
    "D9214v5XFOHeu0c1/gwDLvtG/XxDDwfax+HxywVsvX+FBx4RtbpLL/BVQbbFr8HSj5ZorY"
    "NMliyf63nW6pLYEz5f5nMQZ+bbWOjt61Do5OTo/fvnt3fHrg8cxo1zrmedb9wPhnQHili2"
    "GKlVnrg5jiRVat2cZptg/wXdt6PF3YMiO6MRZ+H7d5ZuOEsr/PO8ML+7cE7HBCrzvDjxeD"
    "z/02WmD9QdaeKBt3fdPrjAXRHbzgtqhoQ7BG8fbmAgawhCTgqdZSdkzV17cE4XFmbIBJcq"
    "UXH8jua70ULyLjUJtbVZfAXiIxCUrJrMoZvtXuCSsjZXJu/HqYZk3/epi8qFlfyAD3ZPc2"
    "jGoFvTtW1VgS6ub4ZeFXN0L/gleocuAndCT0gYMZsEPZkY19WoPlbbjNaQrCnCaS5TQSpm"
    "lrUDFkSdSP/CC7c4scFKsl5ZiSF9RLI3i9AMSwbP6kpLwIeJifO/D77h/V4uqsbsFo3Lm+"
    "CbB2JqhZT4u3Poda98LC1ZsEfe6Or+xaCKxkQlgCeOPGfzbYO2HL1ESqPYlY9uPEbXabAg"
    "RnpRKILN5lkhsBoFykR6l03MNWGjYFo5LlRyvCqhycWdRUYtzk67dVGDaHPVUyAlRpS0k6"
    "YXjfgn0GIWvOWWoyM3VoCxr7wOptXGb6qtgwRaLrWoxDfQx6TgKrDkBVQTauo6nw+3i9De"
    "uRtDfof3CHhw3b0lQmDcTBr6n47MbJp6j4bLhDc/Usf2n4Kv0a5GskaPOL8waeK1ImksIK"
    "ZWX0NP8sbubCYk4YcSJY3XRq/3W3xumPcWafHBkbj8aio2Ff0UDJP5zUYw8ZEOyHqYKgK9"
    "RTJWmL+KzLZFXCB1IF9O5CjwgvaXkrMywIWWvpZdbSpTmmNFvgoQ+kCvuq6OM8nSzYl22z"
    "kUKg9U4q804CDGB1S8dVGLamdJkpHTIN0x6cBaGqZJ7kdnzm3keUCbFBoBqvm+Ncfc6PFw"
    "a6Vi+fvxkKdg2urvgkrTjmkANyK577FmKImevCFOrJZJWur1iQRpwb0+tsrvVhsmE8JTeV"
    "A5NfLAe6tUL/ZvCsdgaJdO0J7SkyOnzT5nX8mH8cTQ3ydYruWR0FpFkmwlS2U9t1Imm6DP"
    "BzbMzjr67L9QkTKjyyXHlAAoERdhSdgRQTzRTdMJss597us681YPXpsKoYREZ7mD+ZHc2y"
    "VPsbW0aPfus1J5S9xpOumMTrhnb4+cZ5D+crECXwdDTT9AfjPXso4FVDxlx7Mpz3ZP8vYI"
    "3JE8rK7nJQeJkiyh2u90lW7fKq7R2SGV2960K1d+7oLTgKaSex2qEDOraNsxj/AaAdxuI1"
    "ikJ9AdHZZTmNY/Knp90nijDWl0KCqc6wjQLs81xDMkiSJxAUTfiX0CbibPdprkhz5PiNAm"
    "12XCcyNef3xGodHL7lwonVeWMFXnBEjBX0nAll69oRLXsT6/jgsDWxTt6R44l1OpvJ8K/c"
    "OgIpOWXjeGVdY45bxyeIaTFctoBEA9EoYapRhV3gw2KMm84jFSqpFmBsQm3hunfYRK0mOm"
    "ryl2mdIFaQhsnae7w0bEk3Xerkke+2aZPPz18Q3tWWblxKo1/Q4XQfddizJ5R9OywGhGcm"
    "0dkS4vfOqho06mjBi3kw8WyL7/fIlsGOjEQqwY/QjdkbwOvaSsB7eF97nwO8QveXz/Y1IA"
    "i+WZk9w3fYC+fvvBW634DsZ/KevS/XAtgLE4XJ2CLkbp3Lk698SJbPsPfjYjmSZYUHUMEj"
    "xGJK5mY7QFxBVBDB+Z/RMnEgrktDiMdyCKw+8th85GFqW+A5AFRjOUWe2O6P7srNMvJHcf"
    "aTnDr0+Ac4wJGJiRU1hjslZ1j6QHafYdn4x8yiXNgjdvGcqVBjnz32n0VZxbvOu9yp66dc"
    "mZev4vrx7MoswiMAVD0Bnb9GnxXBNW7T4/a1TorLhubqHRSXDMM5nBO/9mHmlRbyo/nbm+"
    "scwHN3RIr7zUC8a5YuEfta8pmmoy+wKHSzyU7c3qC7Z4RBSXokyMFUG02dMqHtw9a0iaZ2"
    "Wan2f+ZYM+bKzJo2I57fQp4yoVO3XnF7of9ydHA4TemoZGkk9utwJHnXF/E3asDgL5FG+I"
    "PYNVc80DqjZLcVwn0kS50L4YOpoOF8epAmWP8gOVr/IKbah549tdMFqs3nUpvPJK7g1IYA"
    "19g6UzVhy0XY+ta+nZVzrSNdK2vAlA3FeUa6vo4B4+I+xobxkSXZjPGtgoIrlMI7qIqEvc"
    "sOnROtWsXfqYrPUROr3m+uNOfCllnNb3wSrrrnPUEEgfSRl5pzbFwRZO4DLznn3cgzFEbC"
    "8FNn3B347+UBpYHoj7yysne3z1D47RZUCO9yH9+uef3D+7KXD4xsn/yqB3ZuboaDT8JFGz"
    "kR8zIj2b+E8zFr08m/iWQSXtW0fy70eqxRYlhQVdbaGY26H/oc2rmccEK7fRGm/ABLY9RG"
    "ChVhVqZGGjDH4PqmJ/CJJW2xZPx/qzqF+R/FBu6RjU2xS3fTcXyG3c+rPJXKai+n77cStt"
    "2rGu01XetYhp8nlkFX4q7eTvYuryAKOvl9vVLS+SuCgAhHq8qSf7WCqtCpbx5Voepimz+F"
    "lLAzM7chcxCyJnOpyeze2Cu+oOhM0hy1GlhmyktzIj2AKY+Nh+24eQx8TfHSUxxoxYi2Hb"
    "n9wDWty0xrnnVt6fdbbe0IcE3rMtM6fISU0skZBqsdnDEOTscFTjKiNghVIQsyN8TWt9MW"
    "gFTvtC7bBYohsOplE+TvVHKPTzOt3yBQvYA3BuN4IiqK5Lo2WqQ2WkCaJ+QTxKzhHHD7aT"
    "XTj7V+02I3uHNT4La+GDwVXpMvBo9HqyupckDspW+qaiI3JNZToNfVW+t1u4nbBhX8zMlb"
    "/ggKsnzhffbhS3IqIuGCK5PVinohmnwVzKqxKoO5wxpbWy/CkJveV5UFVGyEsZ3g1dOkh0"
    "ZsmLGvv7k+1tgeKaru0I25kwPKK8ehJdG9/Mb3djFVQJRXTXVVPdVATpynwWqrOXVZbbho"
    "0dfcZ39BAbcd3q9dsojnQvLtkiOgQQ2Lv45ojTWrJ1xG9OMWVM3XkH2d3IcuvdMsKo8IoX"
    "GMyd+9li8p9kDRcEcWmQhRM4BN4dFpOACMWhMgvZEHrAvtWVdbZ21gT27MoJpFdkrCNDog"
    "y6V5HL9wetayCrwa8ypMos6JKiAnKlEjSOa+ySpBqbKhtuTBrePjFDwYRiXyYN4XOmBcLr"
    "Ng2BleQeweHqSScAdrJNxBpKoEPNGMvQQyOdbdB7L7WPfXiXjILar9VYXZ9/8DuEdNAw=="
)
