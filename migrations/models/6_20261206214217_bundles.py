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
    "eJztHWt32jryr+jwZdNzuNlAmjQ33bPnkIQ03BLIAm3vbukxii2CN0amfjTN7va/70h+4C"
    "fYYIPj+EsbJI0kz0jz0mj039pclYiiH7YWC039gZWBqZDaOfpvjeI5+yOyvo5qeLFY1rIC"
    "A99zSFbDWwqa0/ReNzQsGlA5xYpOoEgiuqjJC0NWKQMZzQhSNYloREKaqhAdGTNsIKsngj"
    "DSyHeT6AYynhfkPfr6Dc0JpjqiKnJGQ7pBFodsOEkVYTyZPmTes0llaCwY6gMxZkSD/r9+"
    "g2KZSuQn0Z2fi0dhKhNF8mHRHkZgw7CueAvrF9RezrDWpub8mpV2qG5gKvJm0r0gqoo5p1"
    "F9LJ6NmUrdTuCjWekDoUTDBpE86KamotjkcYqsb4ECQzOJ+xHSskAiU2wqjGgM2prLsqwm"
    "CL3+SBi2R4JQCxP0c/umc9ltCxf9/sdO78M5+kFmsqgQ4V5VH4E0Y3rduux0O6N/CoP2sD"
    "343Bp1+j02O1FWZONZ0IhOtB+Y9Temg/ZdqzOAlv/41B6OzoFmCyxrgo2PIM3t6YoqZctO"
    "pobOKTHHPwWF0AdjBj+Pm7+sL1rSwWrFJ98aXN60BgfHzTesbxXWrrWye3ZNk1f94l1gA1"
    "udcPp7CM4WW5jSfwz7PU7lMHUdgABZJVk00P+QIltfmpa8TsGSvss96BLzb1OTigzX6N6U"
    "FUOm+iEb7++1dGR3FspaYqxAPkMQ63mu698VL9IPblt/Bulx2e1fcJSpuvGg8V54BxdAHL"
    "YVp48e2rCCeyw+PmFNEkI1alONaxuumjfnwRJM8QNHL/ti9n0237yCtaoZc0KNKK7qqV3J"
    "UyV/u3UMNZ4QW7AwWQov5w41olez1TiwlGW60RLOg0MlXqowW/jvt2bj7bu3Z8enb8+gCZ"
    "+mW/JuxWru9EZr+AT/P1IgRCPWaZ8N80/CHfJEro8pN46OEnBlaBXLlnkdw/cSv7BvYNcI"
    "qRavD2ajNWyv0MLgOYNFHOKnQRyHEXytakR+oB/Jc0ixCWA1kh2+LBz/claRU7qcooafXH"
    "7qX1yAAvhwYnAkgCY0GnQuAdnxomqJdHEmKxJ0FUb7hQ15/XFAFK5CvS6M+/a/CXpkhB6W"
    "BkefoIsXyFxj0ZOnunNtK/BRyo5bt1LVmXpbrbUcW4hZFAwWLRQskkPUXxAKaEEz1dR0BJ"
    "sNKaoIVty9qcuU6GAAynOCDiYXgOJR57b9r36vPXmDHskCzEI9ZEBmPcCYjms3N+e3t+Ma"
    "MshP4xxsUNYKWeIHPammIiFJww9opGqGKuvkLzr6NLqEBvQHrGWmpQMxwT5FT1hRfhNh9M"
    "cxBUPVJNtaqVFSMl4ViZSPBbJCN1RD8rcNK53PRfbp2wTIPn0bi2xW5Vf4tvGwZOtZyQfR"
    "tdt2e9TpfRAG/f7tOZoTAvb6g6Cp6nxMW5+uOqP+oPMJarApyYaqyeaceVAu23fMxWJDaU"
    "QkvEMb7sM/ofDhGf66bPVG7bbTTsTUIMRqtU8/y5K8zEEhsQmk2D9emCKTtjB7SMQLkMKW"
    "DE5oM3lBsjH7943jTAx/D9MnRNIFx6kcoZGqqkIwjZEAIeAAjkFJUfJCsluyW0/gRb/f9X"
    "kCLzqjwBL+dHvRHhw0+MqGRrJlR4Vxr4LKJkw1i4cl5Ro+oBKyjZMEXOMklmmcBHkGR5eh"
    "psawBVLhdx1+wQySf0RoNiv5xhJoh/zCUd1fFLtIcVwQOtXb0r8wWJ5jlcQBk6eHgXtjIr"
    "wLjpcm3rNgOi0SeBXmZH5PNKROEdjQYNprBJuHaMK6kKUJknVe/oVcqnNkFaIDVkKxYWpY"
    "AWv/+U34NDrDfot2kGMvzeLa+Dmf41jESiP9lhClc6Fkb5FULpMckVupFjuzRJYH+emOJE"
    "NwlY29/lzSHzWxy7PJoiE66eFkaJltcUDJApoERaaPGRy/DVQrlLAkaPexBDs0bkssfbZ6"
    "KZER4ZNQTkwpi8XcElNOJOsQuirrmtq1YfoikYR1HSQAiRDDr9t69+krGih5W8aYlBtD9y"
    "aVtubeF7yTMm20vF1AXCOIcQM52sJqV5CgOc3W+oP6lPDbA8xvo8LfDJwFbvD+EJBrRjR2"
    "sYBCGYs/5tHaSFetywbcu6MLT7Ix42NOQn6hjPsfU1lHmIWJ8DWBYKVoz4hFd6vGDDEXxj"
    "3WiR7nR/rqeso4hr5VfqU9+pWcRbrRhREbNi8nSBY3RYaj1vX1OYIvmE7H9Kp9NxJu2q2r"
    "cwSmiCHMCJbG9LrbBujbVq/1oT2AiSiEGILFHTSAGXQ+s2IuqjT3tshVZ3jXGl3esCr7wo"
    "gk6wtsiDNPqy/9wUdPiydVe2S17u2U1tVtx3svBUtzmY6pXcx/BXfzfuIiOEdLtQM9EJUz"
    "Yb0zweGJW7oRShZMWg84EDyLyuc6uGwNL1tX7VWegzw1Bsc6jlAYPIZzvL7ww9OoPJdvXr"
    "tsXYBanupUwQUo3YlN4zTJ1ZvT+Js3p0GBxHdRGuS6ANWZTYIzG53gKPfOcI4VJZYxuEBl"
    "EvjHzXenLmdgP1YxheFtq9sNH8vIVGD3jWUx7SmYH7A6CUtxEsbV9ZSnYF6Y6mLe+gMwjq"
    "/daa0Fw27iUy/vsvKprTAD1PvU7SY88arCwXbuC+ybxr3685boOn6I1O/9DVZq+SpvKsw9"
    "bfNU9r+CaoMNk8+Bkp+GgA2DzBfs/xo0/eo1puyW31IZCBfyw2uxEX5vNo+P3zWPjk/PTt"
    "6+e3dyduSy0nDVKp560fnA2KpPpiWL/ooUZavDv6IlWaXwRim8j/BdmzpCHdgiI7o2av85"
    "Oud3QseU/X3ZGlxZv0XgkmN62xp8vOp/6Z2jOdYeJfWJsna3d93WqC04jefcRBUsCFYofL"
    "q7ggbsKhewWnMh2Rbs/g1EGM6IDM2Jz5HjAdl9lpz8JWcUajPLh+PbSyTialc8q7Kbb7R7"
    "gjpKkXwevzeSrOnfG/GLmtUF7HJXpG/CqJbQu2NVtQWhzu3INPzqrt274rm9bPgxHbZ7wM"
    "F02KHsJMc6xMHSJtzmLAFhzmLJchYKcLUUqwiyxOpHXpDdeUuO8tWSMrzM6FdXQ3i9AsSw"
    "PAhx1xlD4EF+bsMfOn+Ui6uzjA/DUev2zsfamaBmNU1e+hwoPQgKV7cT9KUzurGySLBkE0"
    "EJ4LYb/avG5oRNQxWo+iRgyYsTp9gp8hGcJZkgknCfSm74gDKRHoXScRvNJGwKWsXLj2aI"
    "Vdk4M6khR3jPV2+rIGwGe6pgBCjTlhI1wvC+Afv0Q1acs9BkZurQBjT2gFXbuMj0VbBuCE"
    "TT1Ag/+wj0nBhW7YMqg2xcRdP2n6PVNqxL0m6/98FpHjRsC5PT1XeDYEWubOeGQYJc2brT"
    "NFOH89eaJ0eyTr6HYjm/2jNwXZESEWWWYiylp/m1uJlzC0VhxAlhdd1h/vfdGqcv4yg/Pm"
    "A2Go15B8nu0UDJPsrUZQ8pEOyFKYOgy9VTJarz6Puq8aqEB6QM6N2FHhFc0tJGZpgfstLS"
    "i6ylizNMabp4RA9IGfZV3sd5GpmzL9tkIwVAq51U5J0EGMDKho6rIGxF6SJTOmAaJj0480"
    "OVyTzJ7PjMeckpFWL9QBVe14e/epwfW8a/li8TQj0QA+tfXdF3t6KYQwbILfmVuABDTJ1R"
    "J09PprOuI5yYniUf77/07LCcQ2VhDorM0pFvExBbuSm3dFNy1ITQWqLk+q/l4cKXE7AW2j"
    "7Zxau17u4G/c/tq3PnPVCJkeyP9uWIlWnk30Q0CI+j7V22u11WKDIsKAorbQ2HnQ89Dm0n"
    "EhrTTk+ALj/A0hieI5kK0CvTyHXoo397123zjkV1vmACYKPIuOwNd1/Ot0ijLllWwmib7v"
    "UqpoFNpqUPAXCAKjO5yGYyibqXsMYPEnkdoaJroegqEQPLSqo3fD0gxXjFlw37ol/x9UdS"
    "aXJUorV4F/4SIicP/st/pczjLcFG5LtKq6MQllAluo+dRRxCFd75KqSEdaNuEzL7ISsyF5"
    "rMTuo4YYtjzrg+KjWwyJQXZ0R8BFMe64+bcfMI+Irihac40IoRbTNye4ErWheZ1jwO39Qe"
    "NtraIeCK1kWmdfAIKXlAgw+scnBGODhtFzhJiVo/VIksyMwQa6WXT4dWH0yF1Cr33E6Q6h"
    "6BpsuDFAArX6ht9p4650w61fr1A1ULeG30mCv3w0iuQpxCIU4+FSkmxiliDWeA29K9fBXE"
    "rn/nJsBtlfYzEV7j035Go9WRVBkg9trTVTmRGxDrCdDrGAPVul3Hbf1WUwLU3rvPS22J2M"
    "TvVL1Q1Pospy3evqyeKYzDuG9dzlSGua3QdKNaum4Z0YNNSY7QPlOtItZFV30oz5bNNZs0"
    "X00RwfDOKouPhJ85LdY+JtdCGtFVUxMJeiQLA01VDX3lsX51RKj0Bt0/I4wU0E2QHSh8ji"
    "a2DnjeaE7qaGJpLuf/mWFVn8lTc1KvBXCazyhjOnHk+vlc++34qDGJe0QuFMDvTIcjyX07"
    "3Ipx/MayXQcL626cnAtaRfvv9u05D8mSunO8MEWO9N/QmXN2lCTfw1F8woejiPj7/YYGFw"
    "3hZTpy2mtscEXYHM8SXWEV0M1WPRa0BKoeCkr+UFB1Wbq6LF0wN0GSy9L7utBrqV9dVXys"
    "Rd7q9dTXV1/ttVoKitM04TPZT2hBNNf6eM/enR7+owvbu454yCsQAMlgkMgae8OaaDJWZJ"
    "3oyL5hqaODO4tZA1TIrMl+iDHViCJDJXQiGzoiP0XFZPnK0HIZIBn+Ilh6k9DaiTVTdvjw"
    "QsFMlVy06HjTBQzX6Dx1K85HtZgsda80339IVuyHo3EP1g17RyIq06pbuZKXcUcaf0w8GS"
    "MbzQgSZ4DNvzC2QBCD5GznQJZQ4w1sHWjAov/QRCffJ+gB1DqKVNNAmEpQiQ1gTqKqSQA/"
    "w/rsMMTHMh9hTNuwgp+B22HFYoLA0hweWEe6ymt0hDWy5IgSOsB8VMbjGQNcssU6m8GYPm"
    "nAVd1qi8m+sedgfwGiBEZmDqZH/T0bEoaB0Wbqk27Pkf0/Z9er0VRT52PKQMHM2ZaZRimE"
    "qy8rZakNFsHzs/k9pZSZaFe9JLfzPLQ5M82dPCUXiEBmWziNYuAD2uFTQbWdqAfZPB5XJP"
    "nFTmDixJd9OrNOeil2s7XC68tMRRJIkScQEnX4l9A657vwpyzOkJ3W0ldmZfFAhmr/HpvN"
    "o8ZbLpgUmQLrnyIcEmE5jTOmbF3bouVgbJ4cNZpj8/QdORmbZ9OpBP9KzWOQkBPWboJkHW"
    "QNbp6cIpZkiYslkGggFkVMVSqLIA7ZZeK6PaRMQb0HjI2pJVgPGnXUrKPjOp9M8xQ9ybCb"
    "QM4+4IVuSbrJQiM/+G6bcKnIBS6bqyXduIRGv6HG5BC12Nhjyr4dFgPCU4NobAnpiKogRa"
    "FQQ3N2B4wLZ0t0v0eWDHZkpELwD6jGbAYwXUsBeA/ztfY5wMv0cPGM+LJA8M3y9Bm+w1o4"
    "f7UWC8ceNHoD8p/C6GzWljUE0yYyk7SgMYxpy/kGwCIT9QYoGQwBfHLWV3AUwOytaaCJvX"
    "S94zDNYsIpyFUO2NSqJeQtIqpUJCzpyZz1DyoHGwCKMeghwAYk9o2sMcubQ7StTazqIdR9"
    "PoQKnCnqIYx4SeYClPCwKPtHULFoRFq1K/G7Te71YiM4+9BqJqyEVSmxYoLY/WDlC2LPPu"
    "2UoW6AZx9QheX1WN5D3vNis4zsUZz+3miV8eEFnPBW6Z8Kl/5ph46pYj1bvRfHlGv1phEe"
    "PqDyCejsNfq0CK5wmxy3+4ocKRqayxc4UjAMZxA3su9M8B16r5pUGhJCaxGeam91fZWzWr"
    "YaCrrTMs+08FWcxTpjJ0mgBbRaYe6sDbVYlehwlXq2Ms1hZseH5dTTCnK2ZV8HjOAXy4uC"
    "8axieStxP0yiujOSw50Rqhqp7os47Ut3iN08SsJ7oVUs7+V1VY7eHHP0TgmRGCcMIzT+uV"
    "UvTBmMsFU+uzzeW9U2TJerxSsLVZ69QnlOnR2yccrUyA4qmheZ5lW281dB5iqFZpV+rHhu"
    "tYTpx+JtZM+hB9aMLTOSlM6LmWvGjRbRZHFWiwqOtWrqK0Njl20qF8JLYnz1FS6E2Ltb8V"
    "6E+MtbZYhZaZ6cJHElnJzEuxJY3a+gKE+DYbt5CbHbSOSoaaxw1DTCjhoY0SBRsjs+esQD"
    "svvokf3ov5nFiezVH/7r/3yeEzo="
)
