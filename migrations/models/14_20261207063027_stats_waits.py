from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_audit_log_request_0569ff";
        CREATE TABLE IF NOT EXISTS "stats_wait" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "day" DATE NOT NULL,
    "department_id" INT NOT NULL,
    "metric" VARCHAR(8) NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "bucket" INT NOT NULL,
    "n" INT NOT NULL,
    "late" INT NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "top" DOUBLE PRECISION NOT NULL,
    CONSTRAINT "uid_stats_wait_departm_cbb564" UNIQUE ("department_id", "metric", "day", "key", "bucket")
);
        CREATE INDEX IF NOT EXISTS "idx_audit_log_request_d1d0d6" ON "audit_log" ("request_id", "action", "at");
-- The waits' histograms (models/stats/waits.py): a step's decision, a repair's audit
-- records and a request's type, department or creation mark their days dirty too.
CREATE OR REPLACE FUNCTION stats_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (OLD.created_at, OLD.created_at);
        IF OLD.start IS NOT NULL AND OLD."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (OLD.start, OLD."end");
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (NEW.created_at, NEW.created_at);
        IF NEW.start IS NOT NULL AND NEW."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (NEW.start, NEW."end");
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.type IS DISTINCT FROM NEW.type
            OR OLD.department_id_at IS DISTINCT FROM NEW.department_id_at
            OR OLD.created_at IS DISTINCT FROM NEW.created_at) THEN
        INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step WHERE request_id = NEW.id AND decided_at IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_request ON request;
CREATE TRIGGER stats_dirty_request AFTER INSERT OR DELETE OR UPDATE OF type, status, department_id_at, created_at, start, "end", vehicle_id, facility_id, rating, assignee_id, driver_id
    ON request FOR EACH ROW EXECUTE FUNCTION stats_mark_dirty();

CREATE OR REPLACE FUNCTION stats_mark_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT OLD.decided_at, OLD.decided_at WHERE OLD.decided_at IS NOT NULL; INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step WHERE request_id = OLD.request_id AND seq = OLD.seq + 1 AND decided_at IS NOT NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT NEW.decided_at, NEW.decided_at WHERE NEW.decided_at IS NOT NULL; INSERT INTO stats_dirty (lo, hi) SELECT decided_at, decided_at FROM approval_step WHERE request_id = NEW.request_id AND seq = NEW.seq + 1 AND decided_at IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_step ON approval_step;
CREATE TRIGGER stats_dirty_step AFTER INSERT OR DELETE OR UPDATE OF decided_at, seq, role, request_id
    ON approval_step FOR EACH ROW EXECUTE FUNCTION stats_mark_step();
CREATE OR REPLACE FUNCTION stats_mark_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT created_at, created_at FROM request WHERE id = OLD.request_id AND type = 'repair_request' AND OLD.action IN ('create', 'assign', 'completed');
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) SELECT created_at, created_at FROM request WHERE id = NEW.request_id AND type = 'repair_request' AND NEW.action IN ('create', 'assign', 'completed');
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_audit ON audit_log;
CREATE TRIGGER stats_dirty_audit AFTER INSERT OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION stats_mark_audit();"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TRIGGER IF EXISTS stats_dirty_audit ON audit_log;
        DROP FUNCTION IF EXISTS stats_mark_audit();
        DROP TRIGGER IF EXISTS stats_dirty_step ON approval_step;
        DROP FUNCTION IF EXISTS stats_mark_step();
        DROP INDEX IF EXISTS "idx_audit_log_request_d1d0d6";
        DROP TABLE IF EXISTS "stats_wait";
        CREATE INDEX IF NOT EXISTS "idx_audit_log_request_0569ff" ON "audit_log" ("request_id", "action");
-- The request's trigger as migration 13 made it.
CREATE OR REPLACE FUNCTION stats_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (OLD.created_at, OLD.created_at);
        IF OLD.start IS NOT NULL AND OLD."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (OLD.start, OLD."end");
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_dirty (lo, hi) VALUES (NEW.created_at, NEW.created_at);
        IF NEW.start IS NOT NULL AND NEW."end" IS NOT NULL THEN
            INSERT INTO stats_dirty (lo, hi) VALUES (NEW.start, NEW."end");
        END IF;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_dirty_request ON request;
CREATE TRIGGER stats_dirty_request AFTER INSERT OR DELETE OR UPDATE OF type, status, department_id_at, created_at, start, "end", vehicle_id, facility_id,
    rating, assignee_id, driver_id
    ON request FOR EACH ROW EXECUTE FUNCTION stats_mark_dirty();"""


MODELS_STATE = (
    "eJztXetz4kiS/1cq+DJ2BO017ud4Li4O27ibbRu8QM/MbjMhylJhdBYlRhJ2e/fmf7/M0g"
    "O9kbAAWdaXbiNVlqRfVWVm5av+05jrCtPMo7YyV3lHUa3GKflPg9M5gz+iN5ukQReL1S28"
    "YNFbTbSm2Exibrtb0zKojB1OqWYyuKQwUzbUhaXqHNu3iaE/EmvGiKAkC3rHTCLPKL9jCj"
    "mY3KtcmZAHNlNlDcinVFY11XpqEmqazGoSY6kxohvQi8bMX8jknj1N8MmKLsOjVX63rYeM"
    "uWqZZKFRy0dBVMUhIha9A0L255KZ8ONpITpYmsxQlUNAw9Dn+EKc6Fy8mEIBQmoyopoEO7"
    "aMpTVrjjnlCuFMhSYGmZiMwXtyHf984vKEPBqqBV+iP8Bd1SIH9oD8DdsdLeD93d/QGH4f"
    "kiWHDzDH3NI1hVg6fDo2JZfdqw5588Zg8Dkye4OjZ04OjxDHJVfhEyRLv2P4DoDm9+8NxA"
    "tvAg6NP/6AP+A3+8FMvIs/F/fSVGWaEphHqiAR1yXEA691uXUpGuKI3Uqyri3nfNV48WTN"
    "dO61VrmYVHeMMwNgx+4BJpxUfKlpzgx055n94qsm9iv6aBQ2pUsNpyZS2y+wutaQpF5/JA"
    "07I0lqRKatS+GbZM4lWec45eFVTfH1d/gKb05a7z6++/T2w7tP0ES8pnfl41/2o1fA2IQC"
    "nt6o8Ze4D7PDbiEwXoHqjkQQ1vMZNeJxdduHkIVXDiPr4pgGrXthhe1qle8C3Dn9IWmM31"
    "kz+Nn6kILkr+3B+Zf24KD14RAfqANTsvlVz7lzIm4h2D5wYXrnwdZuXkFoP7zLAO2Hd4nQ"
    "4q0gtCATdCMPuB5BDW8WeK0othcAj6XOWQK+Vgy4ikNy5P7xAqFOgXbUve4MR+3rG+x+bp"
    "p/agKn9qiDd07E1afQ1YMwA/E6Ib91R18I/iT/6vc6Ak7dtO4M8cRVu9G/GvhOdGnpEtcf"
    "Jar4MXEvu5f+Qnk6vfcxf7xwS+X7R2ooUuSOfqIntY3emp/Mw1coB91IcdDE93TVv8XC0B"
    "+oNliKz46qh/776Rqi01Iy3KZrlcTRDLUnhRmgqwgdDFQmahG7J1DqAnrWL/AlZM4oN0FT"
    "Iu7TiGmxxVFEMyys5zEfc+wMhACqcEHCJup+1NYCUaHTOTx1KvQ8FMgm6GFCaZQcoiNFNW"
    "HuUG1yeAoqoGhEHkEJxH6FLmoT649cPMx+W4XcwrNBXUV9UkdtzcQr+Auf/JMpaI9IW3zp"
    "mM/pE8FRtPVPtqCGNWfcQkUSOrXoPWinQk89mMBdS5oxqvxP6+3kVBDgL3wPH2HrLSis7O"
    "juSDS4XRqMLuGptj6sT6eqzA6JCqvTIRUK+WKhqTLl1k9mkr6ZVcF0wLO5Vw7REqYrRsLs"
    "V+0MyJe3Jxnky9uTRPmCt9LVULF0opj/fdjvJWDuEoQljipb5P+IppoRVb8oWdP4r+mSy4"
    "goTFFVs2BCHuHz/ruxewmEAAWEjwv6wXX79/B4nF/1z8JSBTs4g8EpiZS48JhBnIzw3U2V"
    "EEqw3TrxkDwQz2AmW9mtlp9vbHm7Kv7PwZrd9hVU+lvHx1n2q8fHyRtWvBfU+2HdwKqRck"
    "3eAM1Gc9iZoaXBuYBJHOGnYYyjAF/qBlPv+Ff2JHDuwjtRLsdN31h2+LIw/sudRe7V1Ssa"
    "9NHjp8HJBRDAhzNLgDCA3dCgew5gJ4uqFejyTNUU6CoK+5lDefl1wDQqvuNVIR5Y/2hfjt"
    "HD8mD0Dbp4gcw1EzxiJ/JMfNrYR4WmzzbVwUvHLRKnDHr3UlXBqb9VBmfSra7fIy0Rnowj"
    "0l8wDrCQmb6E3TAwI6LpMuzZb5emypkJ21wVNsAHkzOAGC00aLmZHMIufmHBvjXGkVTsA8"
    "Z83Pjy5fT6etwgFvthncIGX1iQbPFMHvWlphDFoHdkpBuWrpq4jf82OocG/AHWOu5iYDB1"
    "oHukmvZGhqffj/kD1ZbsufvpOC0iWVWL1R/qvfP6vXOtE2/REJ5sC+rw5TyiqAWALtYetB"
    "2gG9edzqjb+ywN+v3rUzJnzAK4JUPX52Pe/nbRHfUH3W9why4V1dINdQnXB53zzs2o2+85"
    "VAaTmejQofv8T7h49wR/nbd7o07HbYdmOsbsVmHWuMu1tBpeNOAo+AI51o+fpsxDW5o1JN"
    "MFSGErxheauKf0kxRjFtk3xoUYRnxMnzHFlFwXQoxGqusaozxBAkSIQxiDkqJtC2Tvym4t"
    "pWf9/lXAUnrWHYWm8Lfrs87goCVmNjRS7X1mFHsdVDYJHRt5uEaAqIJs430GrvE+kWm8D/"
    "MMAZel50bYJqnxXYcvbIPUhxjNJpVvrIh2yC9c1f3FsouppucLVfEIdjeNG9vyXW07xIr9"
    "uVQX81h7arLzMEBUOxALcSD6B8W25xj53AhBotqPsNaP4ABWgCMho8m2ZPBmdSEEJ1bAhw"
    "CvQHrfrq6y+RCcOI9n2n8Hdi/VwXurFmAxNWOsv+6UTbb8Lt0WGay+cza/ZYYbUmQHHh2R"
    "iR1tPxHRTHD9N3auz50QfHKAVzi1lgbVMGjrMBobVmC/ZQtEeO1h8/Zg5VHqVhSVM3EXbz"
    "GqTdrbDZ2vt3672fqtAtHy6cIRutoGul4fDkb97TK2pmxAZ9WMI9PsGQE2jgYnOQ53NS6c"
    "N4+a7HfvV0RP9nMGjF+WNJXfFxBtM9C1F5xYk46Tk1P7TJR+tXup6FzyEmIwkeS50UlOX0"
    "Poqqpzatf7+BcJEjVNEJgsRmt53caOgHpngE78zJDSaiN0u+TKs7n3meikwguNWaaEAX3P"
    "ZN11YGkus6JQmxJMi65KlW5elAy32VobY58zkTWJtkDM3kRyDNYU/REYLazPYc0oh2voUh"
    "EOKGLqdjqpsBiaEmZwimdGK5QU3P+YY1oohoaKOUFgphhPWGrkVrdmXq2RxIzL7571VSBU"
    "l/jYp63SnaSbhDC6tNsyrBWAc2M4al9enhL4gul0zC86NyPpS6d9cUq8pOMxv7zqAPV1u9"
    "f+3BnAi2iMWZLjGAKaQfdXvCzkuYHxjTft7kC66A5v2qPzL3jLgK2yakiYV00teeZr9Vt/"
    "8NXX4lE37vHuZfu8e9Ud/VNqX1x3e/jt9n5WEhWExrw9HPrfyE7f9t7IIRJtw2t9P5GSgt"
    "/lWp8+itp8td585XLM3fhyywZuVpOVb1IFjFXn7eF5+6KTZqvapj7hGhhi1Amf7SFZm3jw"
    "NapOuvJrl7yiuFseP5ZHUDkfYfGRX2IV5QHXI6i9hBm8hCajcRay4ZxqWiJj8IiqJPDfnn"
    "z84HEG/JHGFIbX7aurqCNQ5RIIrgdVzut3DRLWvtccUfqKPgflIEanSpy+fpI6ADEK6Rx7"
    "ZhwVUEkBRUOPsX1ilbikAM846rSKcS8P8RQ4sQDcGjzvYzJKUuJl44jraZs+bRls8J82B9"
    "pPXkOdBeq5zq1ZbkUirZ8K4V6MamEuDQGUrM8XS83UAa0lt9QY5TiZOaf38pqZdACZOTNk"
    "lWrPxDfSyyvHd8FENswGOkUs8WtG0zZh54w29NNUiLtuLdBQ4LU7W23J0M0cXeifVnXazX"
    "YjUfRHjjyumDi5C6e3F2iz2Us0QX9p3eo/rplp0rtYH0CwQTPNE6CLptLc13abDoHvDWBS"
    "1lK8A2c/LIlaFpsv8P8GNP3ud7g4Lf/I5UQ4U+9eix/h55OTt28/nhy//fDp/buPH99/Ov"
    "YET/RWmgQ6635GIdT0272y5STFCv70pKR4uV8bxeOM4smnpawPpXgJJ6c0Rp3fR6eiktyY"
    "49/n7cGF/VsGLjnm1+3B14v+b71TMqfGPUodbHd9cwWaqOQ2ngs3lmRT4EXp2w2qqlgACl"
    "jtcuEq4vt3IsHjrJzFA3wkuy8dsJ99xlaKBOzwcJywRlcmv+jPrSxz+udW8qTGeyHfnSfS"
    "N2FUK+od1h9ZMO7WVMvDr246vYtu7/MpcejHfNjpAQczYYViLJgdBkaVTbjNpwwD8ylxWD"
    "5Fj9QRilXMsCTqR36S3XlUj7erJRVYAi2orkZwTT+wKIa8Pr2odKcX+QccS9MyRbrNJTcC"
    "RIVIj1LpuK2TLGwKWiXLj5MIq3IwSzFyJy+rMG0Ba6pkA1ClJSUbDHHfgH0GKWvOWephRn"
    "VogzH2kdXLuMzjq1HTkphhxNUZHIGek8CqA1RVkI1pY9r5fZS+h/WG9Krf++w2D29sQ9XB"
    "qXmf0+TmI9kS4nvczG5DGYFlsoCHouNcyXksX4iwCjM8CPjJ+yxlYaFVIuDiXmmOfwtUH4"
    "jxo4SrE2Q4JNR0mxbqRfnueiWFX4T9GUlx/O68gWdfV5is4mkbtlcFfym29pTPnfJafClb"
    "y8nAwYqgui6q/c/dWmBeRuBZcl5pAj/eci7pHvlw8emWHrvIAbCfpnqyrmBzrAjDi/P8JO"
    "vLPpIqwLtrZdkn8yKgp+9Dg5T1VrTMW1F5RjnPl5jnI6nCutq2z9pgc/yyTRZSiLReSWVe"
    "SYAA1Ta0zoZp65Eu80iHtopZvcNBqiptTwrzETu79HzABolqXNdHxPuMIc8Mia9eVcVmKC"
    "w+OLvii5jEMYcCwK14bZgQQ8xdzHiblk13XscYNX1TPtme6VthW44Hh3fQVDypMxT1jWbL"
    "oNM3UD7auSZmXIjKd82o7Z07tne64G8SCejSltli1/i186V7ftWRzvr9ryIU0KmlJOFJ2y"
    "Ik0CvFBkygM/i1jSfX4sOdgmygyDHjQWTGeEXdBp1/fAOO4VV1c5afW7bNu22XbfMtzv1b"
    "Dsse/BlZXMXFfrZvbgb9XzsXMC62KFBwQP/eOR/hNYP9L5MtJmLSe+edqyu8KCMKmoZXYW"
    "i7n3uC2ql9PObdngRdfoaJMzwlKpegV1T8Teijf31z1REdY8Y0ypmNokyLtw/EseWsmaAx"
    "pLX+G7OvsEVZBNg14TQuUb0bL/NunMXl+Kwxt8Sm9tTjWqpxVZhFVS1GMibn+vhIynFMKD"
    "62MseE4olocRnLyZ6CFUXlYqeKVwQBCEeryhPssKKqUCWIIsId6lDpVyEl7OzUTYY5SFkP"
    "c6mH2S3kLj3Dm5rUR60Glnnk5RmT72ErT837zbh5DH094qUfcRgrHLTNhttPXI91mcda5L"
    "QsjbuNlnaEuB7rMo912FOVPW4iQFYbOGMMnI4JnOWENkhVoR1kYcDaJ+LlgzVAU4Mac852"
    "XfWyeFA9B2m+BMcQWfUieou31Lke61zzN0hUT+C1QWqe3I+CXEdSRSKpAipSQihVzBwuAN"
    "vKHdYdRje4cjNgWxcczoRrcsHheFhdSVUAsJe+rqoJbkisZ4DX3QzU83Ydtw3umjJAe+ud"
    "iP1MYDMfrf1CoQ3snHIHBPvjfdjimbW1w7ULKqI6BOblTEfkngXTF93WdasID10q6nMPec"
    "curvS76izZsMxglinNnA3PM3DCjioE0jZzE8SSi0lMcJdiclbCzG2xLiWh0SYGM/WlITNy"
    "zxYWmeoG+S4CIpuEceWQ3D4RSjRQ4IgTTX1KJo6ifNo6mTTJxFbvTv89o7o5U6fLSbMRwn"
    "Q7Txnziav8nM6NN2+PW5Okc+8jyRTu6wiQZAu6xr+cRAjMjQhfbHrBhB5pnTCx04QJ/5Bl"
    "tXn5acqcLLGhxevTcZbaG8fJxTeOY5IU9hs/XTbAq+SX22sAdT2wW3S4esIqpJilnWC8Iq"
    "pPL85+enGduF4nrpfMlpIlcX1fydW2+nWly/eN2Axr3/1mepq13VLS3KZrdzZ9DpsJ/ZEs"
    "mOHtPn4hOifDf1zB8m4SERcMA0BU2JCohmkRTGOgmmoykzhJqiY5uLGZNVBFtjXFP2LMDa"
    "apcBM6US2TsB+ytsTacWQ1DYgKfzGqHGbc7SRuU3Z40kvJtipb0aKTty6wcY2vGZjiRDYS"
    "Kga+0gNGIrJiPxxNmPm+4ME1cVVwvZupvExYG6WZ224tIxvNGJFngOZPyBYYQUrBdg5Uhb"
    "QOYelAAwyRJBOT/Tkhd6DWcaIvLUK5AjepBcxJ1g0F6GfUnB1F+FjhTxjzDh4ODtyOajYT"
    "BJbm8sAmMXVxxyTUYCuOqJADKp6KPB4Z4IotNvENxvzRAK7q3baZ7KHzDs4XEI7HkqOB6d"
    "78BR8Jj4GnzfRH03lH/H+OOehkaujzMUdS2OY8l5nGKYTpGV1FaoNlsPxsnsyVsypw2tGV"
    "O68JvGWmuZOzK0Nh2riE8ygGAaIdnk3W2Il6UMxplWWSX+imShJfjgtrnfTSnGZrhddvM5"
    "0oIEUeQUg04V/Gm4Lvwp+qPCNOidHANbvUCbF05/d4eXLceicEk6ZyYP1TQiMibEvPGXOc"
    "145oORgv3x+3TsbLDx/Z+/Hy03SqwL/KyVuQkBNsNyGqCbKGnrz/QLDglRBLINFALMqU61"
    "yVQRxixnXTeaTKQb0HxMbcFqwHrSY5aZK3TfEyJx/IowqrCeTsHV2YtqSbLAz2IFbbREhF"
    "IXDxXW3pJiQ0eUNakyPSxmePOX47TAZCpxYzcAqZhOsgReGiQeaYKCeEsy26fyG2DHZlpM"
    "boA9ym+AbwurYC8Au8r73OgV7lR4snIqYFgW9Wp0/wHfbE+Zs9WQR60OgQ5D+Hp+Nb27sh"
    "eG2moqQFjWHM2+43AIoo6i1QMhAA8XL2VwgI4O3t1yATZ+r6n4OaxUSMoFA5YFHrtpC3B1"
    "HnMsPKMHPsH1QOfABcpqCHABtQ8BuxMZYeYkbWLdb30Cacyq4XNPdBAvW5zMXKtmTdAgYp"
    "7lyeZDnnEVTQlVT8mcyrNZAD3+dUyS83wMVHp6Mok9KqiiXkAQTJqpcHUHzlLkvfAOcAUY"
    "3yepT3UKG+3CyjeIjzp97WRTNegP+3rqBVugpaOzRbhcXEq1HtV3h7e+I8wiNAVD0BXbxG"
    "nxfgGtvs2Kr8Vv8RG1WSahDwUW0p07T6zGNfIT1lm+HVi+gpGcIFBPTs+7iELjKcM0atRo"
    "wDYXWzmeZBsJnWrdsuQ4rCwtBlZproXWbUsJD0VBiFDXTrohMZf+iPHM3qGiMTbCFRS9jj"
    "p6Cnxfi8C+v1GT5j6DsufThZonoElQvCKUqiJpt7ndGLYUCaTpMKvKxoQohPkaha296L/r"
    "ezqw65GXTOu8Ousyvy9rniJl5aRccOOu2r8rg2Bfe5hgVNhSCL507u/fUMKhNvSoY9i88I"
    "zYPiVexlLfKOlqaXKQ//1q6jcrqO6shJ20D5cyuLhfLnVrKJEu8F1XHfCsiKr4+kgmbg4j"
    "ebC/oE4isG4mR7oY9k9/bC/cjDrVgGDSYz9SGhCmaKJhKiq7WRJG0kfOTSxodsecQ7jGgr"
    "7MSlm0H/vDMc2hftfY643rm8dE5dYtOpc+rSRb/XOSWKzll4k5RJBmTxa7eS/dqtiF97x7"
    "uikhkJth6WYVlsvrBinEXJ1UN9JJUJrC2uxiUsnLzc3EezIScv2azdMiM32EKL0biT1RWP"
    "4FnKyssBeUu6CoAomSyuMmNqanGQcIfpxd6VF5tf/EhVTBiULD220k4a6mHSGvc1uJfEcO"
    "XU1bwANUbE0sTYrsJNmmnmK7eMpeJvncHK7tCJvC59KiKgVZkFavUsoUPt8JQ8znRiUlUh"
    "po6h7E9NEZct7orY+zhze9HdZ7GwBSt61ucc76Fsz70aV3Uk2xbMpS2zUadhn0zsnkg85t"
    "dtAKXTw6NsT0V6hMU4ft2YD0f9mxvce5mWvliwkhxLazBq5ovTXlFULtnr5DhLMji0SgRY"
    "3KuLKr2a2EshlfIOrkdUH2RT5rFlGx5A56erR7j8I3yby5vnp6ktjustju4xq/lQDlKVWQ"
    "MsHdD1SbiV5ln7OpWmbGO65YDVfRycUjaIs0asZjo5ZT/WtUuNMaunW6oca1nz326mWdWm"
    "2BDWpNdyrUVtqM8Z1ha4I2iRtQsPYIUj+1Bio0kokTVqzg7tqNN79tTEC8BgFayHrXKTGU"
    "7xuKg9rejO6zJyzw6GOsliOoBWKa7wtZXkahFfWRFfEm+Ec/JMDKtcnUmTzCVXB+BsNXa2"
    "NuHv0oQPQi9X1X23fW0dzmIdNkSF2Ci+6cUDV1QVyj3bvIKgryoKYwpywiigI/YjAUw/TR"
    "UsOmmisPP7KCAFI4EiniS86vc+u83D0SORKbyRTmIUq5G8oFF4CQpJ3KqSqHm/0VDHdlCP"
    "eZnHvN5rvIphDp8pnDUoOERWmxTrk653f9J18h7Zn+1kxIW75zm1sHIlB7Z6bqF9xmNchW"
    "H38MeU8sJek0wHfKgWm2M0oSi0y+5U00LbJxo4LZNY9A5ebX7LDCzd+0l59268fMfox/Hy"
    "47T1Ybx8/3b68TBqWi2w3ywxijJMpjvdEEZRL+cID9qUbsWhznW84k6NHTC4eWwdTvPKWb"
    "OLL1fqn+eZgwB8NBUMASgeZPF/DoDd9hUEt/j4Ck2XPT0hK8B+mhrkDCA/UG0ZM4UvmKzO"
    "qZYQ3ODShLeaNtGRQ/wC0U7Lq+ucd6/bVwetk+ZJKL3FBf5dXCjyy8qIVrlkWs6Zb3mi8r"
    "s9aTjqn389JW4PY94dDr9h+L1qmktMfB4N2r3hZWcwEGnSgDo3p8wwRKL0RXd40x9ia0U1"
    "Yctdlmh9+zClTYwyQcra9FZmm4zCcNM6Z3mNMhG6CjmHCkvY9u2tsiMbJKphjcJ6z9gioX"
    "JPIqoBmhrUtQZEG6/dWQ9Lhm5W42FgWiVYDuPZbQHQXgQ6qybAETmTAWSHgxaAcOWssWF4"
    "g8ImgC28Aul9u7raVzjtEPYA5gV9asSYd717zTQLL+4iTElxmhUaJfY9OjHnDMhkMWb2Ez"
    "H89I/nhJPVVRbx3i6qLDojFt3kJCi/NLbii39nUzELAGxVwsWI9rpxKBt2Rau4K2aS1fy3"
    "oqig8e9TBuPGp+Rj08OmjX3mEZQK1+KNqnmOnq8PnY9d+zHLPhHCuAVfQ9iwdIvGlEpIqZ"
    "PnUeyy3unx0bYATZPlL7v4uq36q4aVsjEQd5sZtgZew9KkkNQ6/650fk3P69ewKeog01I7"
    "NGZq3mG1KephLd2wlkniDIVHOkniDF1/9TqJ4zm29yNx9hu0U6Kgs6Lc5SnRff/OA7Tdut"
    "5hJuwwy8QJfqNqbMjx6mYGPvDottuLVRoBWcr3zKrt0y9DV63t07V9ulQGlto+XdunX4z2"
    "4IfWkXvZ+cGKoGYEMYygtvc/G0ItNlA6EUW3eQ1kBEj9MZfN32lfW/wznItj6Yuc/pRFjW"
    "35vSltBkrZrBGXQWvfaaam0K7alMaB8lp2pFtLS31ghpkz9cxHUkEl9OT9+wxaKLRKrsWF"
    "90KH4y1i+Gkywk7zCqLbylTprJVS6awVrXQGT7RiY6yTz3HzkdTHzuY8ym2vwuyv/wdwpV"
    "iy"
)
