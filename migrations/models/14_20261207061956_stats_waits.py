from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
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
        DROP TABLE IF EXISTS "stats_wait";
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
    "HnMsPKMHPsH1QOfABcpqCHABtQ8BuxMZYeYkbWLdb30CacivIA9YnMJT2RGYYn7kSeZAnn"
    "EVTQiVT8aczO7M+H73Pq45cb4OLj0lGISWn1xBIyAIJk1csAKL5ml6VvgHOAqEZ5Pcp7qE"
    "1fbpZRPMT5k27rchkvwPNb184qXe2sHRqswmLi1aj2K7y93XAe4REgqp6ALl6jzwtwjW12"
    "bFV+q/+IjSdJNQj4qLaUY1p95rGvYJ6yzfDqxfKUDOECQnn2fVBCFxnOGaNWI8Z1sLrZTP"
    "Md2Ezr1m2XITlhYegyM030KzNqWEh6KszBBjp00X2MP/RHjgZ1jZEJtpCoJSzxU9DTYrzd"
    "hfX6DG8x9B2XOJwsUT2CyoXfFCVRk829zujFMCBNp0mlXVY0IcSnSFStbe9F/9vZVYfcDD"
    "rn3WHX2RV5+1xxEy+t4mIHnfZVeZyagvtcw4KmQpDFcyf3/noGlYk3JcOexVuE5kHxKvay"
    "FhlHS9PLkYd/a9dROV1HdcykbaD8uZXFQvlzK9lEifeC6rhvBWTF10dSQTNw8ZvNBX0C8R"
    "UDcbK90Eeye3vhfuThViyDBpOZ+pBQ/zJFEwnR1dpIkjYSPmxp4+O1POIdxrIVdtbSzaB/"
    "3hkO7Yv2Pkdc71xeOuctsenUOW/pot/rnBJF5yy8ScokA7L4tVvJfu1WxK+9411RyYwEWw"
    "/LsCw2X1gxzqLkuqE+ksqE1BZX3RIWTl5u7qPZkJOXbNZumZEbbKHFaNzJ6opH8Cxl5eWA"
    "vCVdBUCUTBZXkzE1qThIuMPEYu/Ki80sfqQqpgpKlh5bYycN9TBpjfsa3EtiuHIqal6AGi"
    "NiaWJsV+EmzTTzlVvAUvG3zmBld+hERpc+FbHPqswCVXqW0KF2eEoeZzoxqaoQU8cg9qem"
    "iMgWd0XUfZy5vejus1jYgrU86xOO91Cw516NqzeSbQvm0pbZqNOwzyR2zyIe8+s2gNLp4S"
    "G2pyIxwmIcv27Mh6P+zQ3uvUxLXyxYSQ6kNRg188Vprygql+Z1cpwlDRxaJQIs7tXllF5N"
    "7KWQSnkH1yOqj7Ap89iyDY+e89PVI1z+Eb7N5c3z09QWx/UWR/eA1XwoB6nKrAGWDuj6DN"
    "xK86x9nUdTtjHdcsDqPo5MKRvEWSNWM52Zsh/r2qXGmNXTLVWOtaz5bzfTrGpTbAhr0mu5"
    "1qI21OcMqwrcEbTI2iUHsLaRfRyx0SSUyBo1Z4d21Ok9e2riBWCwClbCVrnJDKdsXNSeVn"
    "TndQG5ZwdDnWQxHUCrFFf42hpytYivrIgviTfCOXMmhlWuTqNJ5pKro2+2Gjtbm/B3acIH"
    "oZer3r7bvrYOZ7EOG6I2bBTf9LKBK6oK5Z5tXjvQVxWFMQU5YRTQEfuRAKafpgoWnTRR2P"
    "l9FJCCkUARTxJe9Xuf3ebh6JHIFN5IJzGK1Uhe0Ci8BIUkblVJ1LzfaKhjO6jHvMxjXu81"
    "XsUwh08TzhoUHCKrTYr1Gde7P+M6eY/sz3Yy4sLd85xXWLmSA1s9sdA+3TGutrB77GNKYW"
    "GvSaajPVSLzTGaUJTYZXeqaaHtEw2clkksegevNr9lBhbt/aS8ezdevmP043j5cdr6MF6+"
    "fzv9eBg1rRbYb5YYRRkm051uCKOol3OER2xKt+I45zpecafGDhjcPLYOp3nlrNnFlyv1z/"
    "PMQQA+mgqGABQPsvg/B8Bu+wqCW3x8habLnp6QFWA/TQ1yBpAfqLaMmcIXTFbnVEsIbnBp"
    "wltNm+jIIX6BaKfl1XXOu9ftq4PWSfMklN7iAv8uLhT5ZWVEq1wyLee0tzxR+d2eNBz1z7"
    "+eEreHMe8Oh98w/F41zSUmPo8G7d7wsjMYiDRpQJ2bU2YYIlH6oju86Q+xtaKasOUuS7S+"
    "fYzSJkaZIGVteiuzTUZhuGmds7xGmQhdhZxDhSVs+/ZW2ZENEtWwRmG9Z2yRULknEdUATQ"
    "3qWgOijdfurIclQzer8TAwrRIsh/HstgBoLwKdVRPgiJzJALLDQQtAuHLW2DC8QWETwBZe"
    "gfS+XV3tK5x2CHsA84I+NWLMu969ZpqFF3cRpqQ4zQqNEvsenZhzBmSyGDP7iRh++sdzws"
    "nqKot4bxdVFp0Ri25yEpRfGlvxxb+zqZgFALYq4WJEe904lA27olXcFTPJav5bUVTQ+Pcp"
    "g3HjU/KB6WHTxj7zCEqFa/FG1TyHztfHzceu/Zhlnwhh3IKvIWxYukVjSiWk1MnzKHZZ7/"
    "T4aFuApsnyl1183Vb9VcNK2RiIu80MWwOvYWlSSGqdf1c6v6bn9WvYFHWQaakdGjM177Da"
    "FPWwlm5YyyRxhsIjnSRxhq6/ep3E8Rzb+5E4+w3aKVHQWVHu8pTovn/nAdpuXe8wE3aYZe"
    "IEv1E1NuR4dTMDH3h02+3FKo2ALOV7ZtX26Zehq9b26do+XSoDS22fru3TL0Z78EPryL3s"
    "/GBFUDOCGEZQ2/ufDaEWGyidiKLbvAYyAqT+mMvm77SvLf4ZzsWx9EVOf8qixrb83pQ2A6"
    "Vs1ojLoLXvNFNTaFdtSuNAeS070q2lpT4ww8yZeuYjqaASevL+fQYtFFol1+LCe6HD8RYx"
    "/DQZYad5BdFtZap01kqpdNaKVjqDJ1qxMdbJ57j5SOpjZ3Me5bZXYfbX/wM7WldN"
)
