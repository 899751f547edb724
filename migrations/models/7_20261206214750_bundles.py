from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "bundle" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "note" VARCHAR(200) NOT NULL,
    "rating" SMALLINT,
    "feedback" TEXT,
    "rated_at" TIMESTAMPTZ,
    "feedback_asked_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "applicant_id" INT NOT NULL REFERENCES "user" ("id") ON DELETE RESTRICT
);
        ALTER TABLE "request" ADD "bundle_id" INT;
        ALTER TABLE "request" ADD CONSTRAINT "fk_request_bundle_e442b986" FOREIGN KEY ("bundle_id") REFERENCES "bundle" ("id") ON DELETE RESTRICT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "request" DROP CONSTRAINT IF EXISTS "fk_request_bundle_e442b986";
        ALTER TABLE "request" DROP COLUMN "bundle_id";
        DROP TABLE IF EXISTS "bundle";"""


MODELS_STATE = (
    "eJztXe1z2jy2/1c0fNlkhmYDadI86Z07QxLSsiWQJbR9dsszRrEF+MbI1C9Jc/f2f79Hsg"
    "1+xwYbHMdf2iDp2PJP0nnT0dF/anNVIop+1JLmMm1LslG7QP+pUTwn8Eewso5qeLFYVbEC"
    "Az8ovDVmzQTitHvQDQ2L7IETrOgEiiSii5q8MGSVsvYtpKnPyJgRxCnRAk+JjsQZplMioY"
    "Pxo0ylMXoiM1lUgHyCRVmRjZc60kyFIFUDcoXoH9H4kbyMkWzw3kiqCO+V6TSXN4zoQsGG"
    "qymSJWhNfppEN5DxsuBUpk40WTqED9fUOXs9RSrl3ZAwoIV1gmSdPQ4ZmmnM6iOKqYQoka"
    "GJhsY6IdArqrI/X6g4Rs+abEC/1SeolQ10YGH/d9buaAG9dX5DY/h9iEwKvYa+GqoiIUOF"
    "D2VN0U2n20bv3mkEvkEk79hA6ePDI4aaSWX4BMFQp4T1AbD78aPG0GGV8PG1v/6CP+A3+U"
    "V0Vst+Lh6FiUwUyTNlZE7CywWGByvrUOOGN2Tj8yCIqmLO6arx4sWYqXTZWqZ8/kwJJRpg"
    "zR4PMLH5Q01FsSebM6Wsjq+aWF100Uhkgk2FzUJGbXVgVVYThF5/KNy3h4JQC8xQh8I1pe"
    "wiUaVsdkNXdf71U9aFd83G+w/vz0/O3p9DE97NZcmH39arV8BYhBye3rD2m9fD7LBacIxX"
    "oDoj4YX1aoa1cFyd9j5koct+ZB0c46B1ClbYrhb0LsCd41+CQujUmMHPxlkMkt9ag6vPrc"
    "FB4+yQvVAF/mOxpp5d0+RVDGwXuDC902BrNS8htGfvE0B79j4SWlblhRbYv6qlAXdJUMGb"
    "BF4jiO01wGPIcxKBrxECrmSTHDl/vEKoY6Addm7b98PW7R17/FzXfyocp9awzWqavPTFV3"
    "rgZyDLh6DvneFnxH6if/d7bQ6nqhtTjb9x1W747xrrEzYNVaDqs4AlNyZOsVP0m8nTyaOL"
    "+bOCByw+PmNNEgI1alONahusmjfn/hJMQROSbDRZPx1Nb7HQ1CesDEz+2UFN0F0frwzaLQ"
    "XNabpWHxzOmPYkEQ10Fa54gcqEDWQ9CVQ4j571Eb4EzQmmOmhKyHkb0g2yOArogZk+OURX"
    "Sqoc2a+xVl4oW2xTc86XbgemN6YiCSxh/zOy4ZR5qE+1b+3PnatuW7js9790ep8uHE1beF"
    "BVUFGmI3rTuup0O8N/CYP2fXvwrTXs9HsXS+VagEVFtCfMnjeig/ZdqzOAlv/8CkvsAsZs"
    "gWVNsPHwj3kSjnzSTMCRT5qRHJlVxStufLIFR/of9/1eOINeEvh5tCwa6P+QIusB5Tgr7l"
    "z7r4lJRYY1ejBlxZCpfsTe99+13fNsBpCHXTugH9y2/vSPx1W3f+nnw+wBlzA4BeGr1zBX"
    "NWNOaKh97aqN5amSt906hho9EFuwsFzsu31xqMIYePz/FHqy076EanLj+DiJhXd8HG3isT"
    "qvpgzrBlaNkGryemg2msP2DC0MzhlM4gA/9WMcBPhG1Yg8pV/IS0Cx8aEayg5fF8a/nVnk"
    "lK66qOHnJT/1Ti6AAD6cGBwE0ISGg84VgB0tqlagizNZkeBRQdgvbcqbLwOicBXqbSHuWf"
    "/MIxuih6XB6Cs84hUy10h48lR3bmwFPkzZWdbFqjoTd6sEOwnMomC0iPu2j1B/QSjAgmaq"
    "qekIFhtSVBGsuAdTlynRwQCU5wQdjC8BYmazM1t+fIgeyQLMwrCNhGxfMKKj2ufPF7e3ox"
    "oyyC/jAmxQ7lOwxA96Vk1FQpKGp2ioaoYq6+RvOvo6vIIG9AnmMtPSYTDBPkXPWFHeifD2"
    "xxEFQ9Uk21qpYVIyWhUJlY8FskI3VEPytw0rnS9H1+g2HpZsPSv5AF27bbeHnd4nYdDv31"
    "6gOSFgr08FTVXnI9r6et0Z9gedr1CDTUk2VE0258yDctW+Yy4Wm0ojIuEPtOk+/QsKpy/w"
    "11WrN2y3nXYipgYhVqt9+llWw8scFBLrQIr146Yp8tAWZg2JeAFS2AjZHYu0mdwk2Zj9+8"
    "Y4E8PfxfQJkXTBcSqHaKSqqhBMIyRAgNiHMSgpSl4gL0t26wm87Pe7Hk/gZWfom8Jfby/b"
    "g4MGn9nQSLbsqCD2KqhsAgvJSMM1PEQlZBunCbjGaSTTOPXzDA6XoaZG2CKp8F2HL5hB8l"
    "OIZhPLN1ZEO+QXjur+atnFRFHTBS8sCXY3jWt57c3kHXRDfpryYh7qL4zeHPMQVRtkmWyQ"
    "uQfF8udo6dzkXqLKT77WT24DloGjPKFLsmDwJnWReyeWx0cOXUC9r91uMh+5HSGwpf93sI"
    "ozKAfeuXqA+dQM8f46Uzba82s6LRJ4fedk/kA0pE54cPWDqRFsHqGxFX89ZkHWrPw7uVLn"
    "dlA2OmAlFBumhhX0SF4Og9FCGT63aBvtbz2Q2hqsNErdiqJ0Lu7sPUaVSzvfYOrK9NuN6b"
    "cKtEqnCwfoKh/oen3YG9W2y9iRogGdVDMOTLMtAkhsDU6wN9zlsHDVNGqye3u/JHqymzOw"
    "+FxBkeljBtEkA1V5xUct4nGyI723ROmb9ZSSzqXlEQl2tGBLpJyDGffwqLLOqV3b8a8SJK"
    "zrIDBJiNbytp0dHvVOA514y5DJciP0YFJpa+59yR9SpoWWt8eMawQRXjNHW4j3nAma02yt"
    "+6xPCT8Mx9xcKvzNyFkcIn8eguFiyQiMGaZQxnYL+N4K0lXr7Bx3hunCs2zM+DvHATdaxs"
    "8fUVlHmEU98jmBYKZoLyyvwoNqzJaJFfTodAaOY5EjVOUz2KcbzpmkG51/tGnz8hllcfDx"
    "fti6ublA8AWTyYhet++Gwud26/oCgeVmCDOCpRG96baB+rbVa31qD6AjCiGGYO95AM2g84"
    "0Vc1GlLQ8/Xnfu71rDq8+syj7/KMn6AhvizNXqe3/wxdXiWdUeWe3ysGXr+rbjPmbJk6OM"
    "qF3Mf/lX837C/DhHS7UCXRSV72W978XhibvZiCwauEn9La5J5fG0XLXur1rX7ThHS54ag2"
    "MdhygMLsM5Wl94cjUqz1nSty5beYKqNJswS4LSbXBlH7bEV1EacJcE1RZXgi0uneAw9879"
    "HCtKJGNYEpVJ4J80P5wtOQP7EccU7m9b3W5wF0umAkufIYtpNw29hNXGYYqNQ66up9w0dN"
    "NU8XPr9ws5XrvTWguGbuJNQve0qqLnXpUvsG8aD+qvW6LreBqq33sbxGr5Km8qzF1t81T2"
    "f4Bqgw2T94GSX4aADYPMF+z/GjT94Tam7JZ/pTIQLuXpW7ER/mg2T04+NI9Pzs5P33/4cH"
    "p+vGSlwao4nnrZ+cTYqkemJQuWCxVl8dFy4ZKsUnjDFN7oxK7rHaGvIclrbdj+c3jBUxyM"
    "KPv7qjW4tn6LwCVH9LY1+HLd/967QHOsPUrqM2Xtbu+6rWFbcBrPuYkqWBSsUPh6xzI1sp"
    "PJwGrNhWRbsPs3EOF1RspTLS6S3Z9pyV9y7uz0yg7z+Pp1lCL5PP5oJJnTfzSiJzWr89nl"
    "S5G+CaNaUe/wYNyCUOewfxp+ddfuXfNUlTb9iN63e8DBdFihbCfH2sTB0ibc5jzBwJxHDs"
    "t5MPsvV6xChiVSP3KT7M5bcpyvlpTh2XyvuhrANT63cgh5lWi5cImW3QPOciYRSXhIJTc8"
    "RJlIj0LpuI1mEjYFraLlRzPAqmzMTGrIId7z+GXlp81gTRVsAMq0pESNMNw3YJ9eyopzFn"
    "qYmTq0wRi7yKplXOTxVbBuCETTwhJgDEHPiWDVHqoyyMa4MW3/OYy3YZdD2u33PjnN/YZt"
    "YVKUe04QxFz94JwwSHD1g+40zdTh/KPmSvmvk5+BWM4fdg+WrkiJiDLLmJnS0/xW3My5ha"
    "KwwQmgum4z/+dujdPXsZUfHTAbDmPeQbJ7NFCyjzJdsocUALtpyiDocvVUieo8/HhvtCrh"
    "IikDvLvQI/xTWtrIDPNSVlp6kbV0dpEpTReP6CIpw7rKeztPI3P2ZZssJB9ptZKKvJIAAa"
    "xs6Ljy01YjXeSR9pmGSTfOvFRlMk8y2z5zLiZMBayXqMJ1ffiry/mxZfxr+TIh1H0xsN7Z"
    "FX52K4w5ZABuyY/E+Rhi6gREeXoynXkd4sR0Tflo/6VrheUcKgt9UGR2u8Y2AbGVm3JLNy"
    "WHJgBrie6KeSv38L6egLXA8skuXq11dzfof2tfXzjXW0tsyP7RvhqyMo38DxENwuNoe1ft"
    "bpcVigwFRWGlrfv7zqcep7YTCY1opyfAIz/B1Li/QDIV4KlMI9fhGf3bu26bP1hU5wsmAD"
    "aKjMvecPekyAs16pIlcQy36d6uYupbZFr6EACHqDKTi2wmk7BzCWv8IKHHEapxLdS4SsTA"
    "spLqSnoXSTHu3GCvLc2dGyy9eFiitWgX/ooiJw/+67900+UtwUboNYHxUQgrqhKdx84iDq"
    "EK73wTUsI6UbfJMHspq2Eu9DA7qeOELbY5o55RqYFFHnlxRsRHMOWx/rgZNw+hr0a88CMO"
    "Y8UGbbPhdhNXY13kseZx+KY23WhpB4irsS7yWPu3kJIHNHjIKgdniIPTdoGTlNB6qUpkQW"
    "YGrJVePh2sHpoK1Cr33E5AXW6BpsuD5CMrX6ht9p46Z0861fz1ElUTeG302FLuB0GuQpwC"
    "IU4eFSkixilkDmeAbeluvvKj6125CbCt0n4mwjU67Wc4rBPXfX1bAlu+q//84PrEegJ4HW"
    "OgmrfruK3XakoA7cPyeqktgU18T9UrhdZjOW1xVWh1TWEU4p55OVMZclvB9Fm1dN0ywoNN"
    "SQ7RPlPNIvaIrjotz5LNNZs0n00hwfDOLIuOhJ85LdZeJtdCGtFVUxMJeiQLA01UDf3gsX"
    "51RKh0iB5eEEYK6CbIDhS+QGNbB7xoNMd1NLY0l4v/nWFVn8kTc1yv+TDN5y0jOnbk+sVc"
    "e3dy3BhHXSIXCOB3usNBWl61bsU4/sWyXfsL68s4uSVpFe2/27vnXEOW1J3jpilypP+Gzp"
    "zz4yT5Ho6jEz4ch8Tf7zc0uGiAl2nLaa+xwdXA5riXuBRWPt0s7rKgFVF1UVDyi4Kqw9LV"
    "YemCuQmSHJbe14FeS/3qquJjLfRUr6u+Hn+012opKE7ThNdkP6MF0ZbWx0d27/T9P7uwvO"
    "uIh7zCACAZDBJZY3dYE03GiqwTHdknLHV0cGcxa6AKmDXZv2JENaLIUAkPkQ0dkV+iYrJ8"
    "ZWg1DZAMfxEsHSa0diLNlB1evFAwUyUXLTradAHDNTxPXcz+qBaRpe6N5vsPyIr9cDTuwf"
    "rM7pEIy7S6rIzlZdyRxi8TT8bIhjOCxBmg+TfGFghilJztHMgSahzC0oEGLPoPjXXyc4ym"
    "oNZRpJoGwlSCSmwAcxJVTQL6GdZnRwE+lvkbRrQNM/gFuB1WLCYILM3hgXWkq7xGR1gjK4"
    "4ooQPM38p4PGOAK7ZYZz0Y0WcNuOqy2mKyh3Yf7C9AlMCbmYPpUf/IXgmvgbfN1Gfd7iP7"
    "f86OV6OJps5HlJGCmbMtMw1TCOMPK2WpDRbB87P5OaWUmWjjbpLbeR7anJnmTq6S80Ugsy"
    "WcRjHwEO3wqqDaTtSDbC6PK5L8YjswUeLL3p1ZJ70Uu9la4fV9piIJpMgzCIk6/EtonfNd"
    "+FMWZ8hOa+kps7J4IEO1f4/M5nHjPRdMikyB9U8QDoiwnN4zomxe26LlYGSeHjeaI/PsAz"
    "kdmeeTiQT/Ss0TkJBj1m6MZB1kDW6eniGWZImLJZBoIBZFTFUqiyAO2WHiuv1KmYJ6D4iN"
    "qCVYDxp11KyjkzrvTPMMPcuwmkDOTvFCtyTdeKGRJ77axlwqcoHL+mpJNy6h0TvUGB+hFn"
    "v3iLJvh8mA8MQgGptCOqIqSFEo1NCcnQHjwtkS3R+RJYMdGakQ/ATVmPUAumspAB+hv9Y6"
    "B3qZHi1eEJ8WCL5ZnrzAd1gT5+/WZOHoQaNDkP8U3s56bVlD0G0iM0kLGsOItpxvABSZqD"
    "dAyWAA8M5ZX8EhgN5b3UBje+q638M0izEfQa5ywKJWLSFvDaJKRcKSnszZ80HlYC+AYgx6"
    "CLABiX0ja8zy5hBtaxOrugh1nxehAmcKuwgjWpItCUq4WZT9JahYNEKt2lh8t8m9XmyAsw"
    "+tZsJKiEuJFRHE7iUrXxB79mmnDHUDnD1EFcrrUd5D3vNis4zsIU5/brTK+PAKdnir9E+F"
    "S/+0Q8dUsa6t3otjamn1phEeHqLyCejsNfq0AFfYJsd2X5EjRYO5fIEjBUM4g7iRfWeC79"
    "AH1aTSPSG0FuKpdlfX45zVstVQ0J2WeaaFr+Is1hk7SQItoFWMubM21CIu0WGcehab5jCz"
    "7cNy6mkF2duyjwOG8IvVQcFoVrE6lbgfJlGdGcnhzAhVjVTnRZz2pdvEbh4n4b3QKpL38r"
    "oqR2+OOXonhEiMEwYBjb5u1U1TBiMszmeXx32r2obpcrVoZaHKs1coz6mzQjZOmRr6gGrM"
    "izzmVbbzNzHMVQrNKv1Y8dxqCdOPRdvIrk0PrBlbZiQpnRcz14wbLaLJ4qwWFhxr1dRjQ2"
    "NXbSoXwmtifPUYF0Lk2a1oL0L04a0yxKw0T0+TuBJOT6NdCazut1+Up0HYbl5CdBuJHDWN"
    "GEdNI+iogTcaJEx2R0ePuEh2Hz2yH/03sziRvfrDf/8/0TuBpA=="
)
