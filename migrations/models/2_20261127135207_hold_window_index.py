from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_hold_active_89aac8";
        CREATE INDEX IF NOT EXISTS "idx_hold_active_0bc12a" ON "hold" ("active", "start", "end", "resource");
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE hold DROP CONSTRAINT IF EXISTS hold_no_overlap;
ALTER TABLE hold ADD CONSTRAINT hold_no_overlap EXCLUDE USING gist
    (resource WITH =, tstzrange(start, "end", '[)') WITH &&) WHERE (active);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_hold_active_0bc12a";
        CREATE INDEX IF NOT EXISTS "idx_hold_active_89aac8" ON "hold" ("active", "start");"""


MODELS_STATE = (
    "eJztXW1T4zgS/iuqfLmZKnYKwgzDZq+uygQD2ckLmwRmd8mWEbZCfDhSxpZh2L357yf5LX"
    "5N7MQOxvgLJJJadp5utbpbLemfxpwoSDM+CIuFTh6hNjQ11GiBfxoYzvmH2Po90ICLxbKW"
    "F1B4Z1HyGqulpLtN7wyqQ5myyinUDMSKFGTIurqgKsGcZDxDgOgK0pECdKIhA9AZpMDuCQ"
    "EIdPTNRAYF9HmBfgE3f4E5gtgAmAD3acCgaPGBP04hMnueiu9z79nEKmssUXKP6AzprP+b"
    "v1ixihX0HRnu18WDNFWRpgRQdB4j8cfwrqwW9jdW255BXcTm/IyXdrBBIZatZsqdJBPNnO"
    "O4PhbPdEaw1wn70bz0HmGkQ4oUH9zY1DSHPW6R/VtYAdVN5P0IZVmgoCk0Nc40Tm2/y7Ks"
    "IUn9wVgaiWNJakQZei1edNpdUToZDL50+uct8Ihmqqwh6Y6QB8aaCT4T2p1uZ/yHNBRH4v"
    "BaGHcGff52sqqp9FnSkYH0R8j7m+CheCl0hqzlb1fiaNxiPFtAVZccPMI8d15XJpiLnYqp"
    "YXFiDr9LGsL3dMa+HjZ/2L9oyQe7lfXywrB9IQzfHTbf874Jk11bsvtOTdOq+mF1ASm0O7"
    "H472M4F7Yop38dDfoWl6PcdQlCbFVUmYL/AU21f2lW9roFS/4ux6DHzH9PTSxzrMGdqWpU"
    "xcYH/rz/NLKx3RWUtcxYAT4HiPc8N4xvmh/0dz3h9zA/2t3BiQUZMei9bvVidXDCmMOH4v"
    "TBxxtecAflhyeoK1KkhjRJUtto1bw5D5dADO8tePkv5r/P0ZunTFZ1OkeYxmlVX+1KnaoE"
    "261TqMmM2EKFqUpUnDuYxkuz3TgkyireSISL0FCpRZW9Lfv3U/Pg4+ePx4dHH49ZE+s1vZ"
    "LPK6S50x+v0RPW/9gJIR5Yt30+yj+NdigS3IBSPtjfT6GVWatEtWzVcbyX+LJxw0aNlEl4"
    "AzQbybAjoaXBOQchjujTMMZRgM+IjtR7/AU9RwybEKqx6vB1YfzDlSK3dPmKOnzy9GlQuB"
    "gE7IcjaoHALKHxsNNmYCdPVUvQ5ZmqKayrKOwnDuXZlyHSLBPqbSEeGP8msyNj7LAsGF2x"
    "Ll6hck2Ep0hz58wx4OOMHa9upakz9bda6zkKgHsUnBYsNCijD2CwQJjBAmbE1A3ABhvQiM"
    "y8uDvTUDEymAOozhF4d3vCIB53euKfg754+x48oAVzC42IA5n3AyZ40ri4aPV6kwag6Dtt"
    "MR+UtwL29AOeiKkpQNHhPRgTnRLVQP8ywNW4zRrgRybL3EpnzGT+KXiCmvaTzJ7+MMHMUT"
    "XRtl5q3CyZbIrEzo8l8kI3NEOK9w1rm88D++hjCrCPPiaCzauCBt82EZZ8IyvFAN3oieK4"
    "0z+XhoNBrwXmCDF//V7SCZlPsHB12hkPhp0rVgNNRaVEV805j6C0xUseYnGodCQjq0OH7v"
    "wPVnj/zD61hf5YFN12MsQUIbvVS8ZZluzlAQqFv0CG8eOnKTNrSzOGZLhgs7A9B6f0mfwk"
    "+bj9L41xLo6/T+kjpBiSG1SOsUgJ0RDECTNAhDiEMTNStKJA9kp2Gwk8GQy6gUjgSWccEu"
    "Gr3ok4fHdgSTZrpNp+VBR7wkw2aarbOiyt1ggQVVBtfEqhNT4lKo1PYZ1hwUVJZoRtkhrf"
    "dfgyN0h9jLFsVuqNJdEO9YVrur8qdZFhuSCyqrdlfGG4XMeqSACmyAiDFY2JiS64UZrkyI"
    "LptkgRVZij+R3SAZkC5kMz115H0PwAbnkXqnILVMMq/4raZA7sQvCOl2BITR1qzNt/fh9d"
    "jc6x37It5DiiWV4fv+B1HJtZWWa/JUXlQij5eyR1yKRAcGvTYmeeyHIhP9uSZISu9rHXr0"
    "sGsyZ2uTZZNqDTLk5GxGyLBUqe0CRpKn7IYfltSOxUworAHlAJTmrclihd271UyIkIzFBu"
    "TinPxdwSKTeTdcS6qqpM7doxfZUgQcNgMwCKmYbftvcesFd0ZuRtmWNSPYSKjm9Y011CjM"
    "OdClfHOSTdbbY22DHAyEqN50EJwj5zcp6VYPUHGLdmSOdZ85iV8eRaKxUZGMTOpLdCF4b0"
    "pNKZ9czbSNAj5/4nWDUA5DkQlkwAJin6M+Cpy4TOAPfP76CBjKQgyY0XBrIQ+qsOmrxg0M"
    "QV0o12Qzi0RXn4eWyDGI2Fs7MWYL9gOp3gU/FyLF2IwmkLMDubSjMElQk+64qMuif0hXNx"
    "yF5EQ4hKtnbQGc2wc82LLT2se1shTjujS2HcvuBVzm4IRTUWkMozX6uvg+EXX4snoj/wWm"
    "/rhXDa6/g3XUBlruIJdoqtb+VY9Lc0WqYR6KOoPeX1nrKrE7f0kSuWKbkX8o59QhXwi9vC"
    "qC2ciqvc4iItBtf1izEYfF5hsr3w6GtUnZ0lb31uXTCzPFPI3COo3HLEwVGafSVHydtKjs"
    "ITkjWKsoDrEdQLEikWJAwE42IXoznUtETF4BFVacI/bH4+8jQD/7JKKYx6QrcbXXNQscQ3"
    "06py1iWeIGG9zJNhmccy1zMu8fhp6l1n61d3LLx2Z7WWDN3USzp+sQqYrewNQP+q2025nF"
    "PnOu08Fjgw6R353kOGAe9j7ftgg5VWPrGaSnNf2yKN/Rtm2kBqWu+A0XcqQUrRfMH/20G3"
    "1J7AiXr/VpyBn5vNw8PPzf3Do+NPHz9//nS87+nMaNUq5XnSOef6MzB5pcthip2zVicxxU"
    "9ZtWUbZ9k+sN+1acTTpS0z0I2x+Pu4Ze1snGD+uS0MT+3vMlOHE9wThl9OB1/7LTCH+oNC"
    "njBv17vsCmNRchvPLV9U4hSbBCDz9/fY42hsGknyeS4+kt2f6FL8RBgHbW5ntwRGDIrZhp"
    "SskJzmG42RsMlRphDGzwdpZPrng2Sh5nUhN9uboTdRR0vq3SmkxgJhdydfFq10KfZPrXOo"
    "HPoJHol9pqcMNkL5woy9JgM30jbHKRhznMiW40gypm0nxbAl0Qryk+wu+LFfrC2U48a7oP"
    "UZwfWUAcP37CdtvYuQh/W5Q//B/VAtrc5PJxiNhd5lQLWfsvma1zSt0udQ6bvw5Op1Ar52"
    "xhf2iQf8YITwDOC1G//Z4O8ETUokTJ4kqPgxcYvdogDD+YEISJHuMs0bAaJcZo9SWbIHzT"
    "RqirVKnj+aEVXlYGZiqsYEw1cPqzBtDmOqZAyo0pCSdcRx30B9BilrzVlqNnNzaAMe+8jq"
    "YVxm/mrQoBLSdRITNh8zOydBVQeoqjA3ruKp+Pt4tQ/rsbQ76J+7zcOObWnOHw1ku68419"
    "nNhk9xrrPhNs01fnzT8J3na6BvkdTMG+cNvICjgmSVH4eVMZ78VoLJhWWWcOZEUF23Nv9t"
    "t87p61iZT85/jYex6JzXF3RQ8k8a9dRDBoD9NFWY6AqNVMlkHr+3MtmU8JFUAd5d2BFhkV"
    "Y2csOClLWVXmYrXZ5BjLOlF/pIqjCuil7O09Gc/7JNBlKItB5JZR5JDAGobRi4CtPWnC4z"
    "p0OuYdqFsyBVldyT3JbP3FuHMgEbJKpxXZ/N6gt+bJnOWr1d+3uhlNagdMVvxYpTDjmAW/"
    "EdbiGFmPn0l0Ijmfw86y65b8RFMd26vZURTN5K0pxmazfGf50RoKgKeJpBusf+IrwH+Hmw"
    "7KMqz4BjcwfK7JwYQIn9PXoCYE595rzZrk6x5XW7SLFlAhe3+JLs2XkEFYz5FXOSXbaI35"
    "KiggDnH1TleklalTcYj3KIrI5RrI9RMGcnO84BohrlFIndu4+1lVtl5A9x9tBLnSv0CiIu"
    "CqJQ1TJdcesjKcclt/yxr/qS2zIEaso2Y1QvTlMyhHMI07x0LOGChLxif/neqhjCzG2R4h"
    "IBNliJqcvIvvtvSnRww4RCZ44/wsp7cPcMIFN5j8i9hL4Fbp2zeFoHzds9cGvv3W79PYPE"
    "mKlT83YvElAo5CkTfOseCtaa6z8d7h/cpgw78Cwu+3UskLwzwq03arDGN5FC9gHZGxs90j"
    "qha7fH8PlYljoVyUdTQTP4OM1V1MfJN1EfRy6i9oQ9U2a1S1Qbw6U2hlHcru4168uxm7lr"
    "xpaLsfXVGDs7M6leaK6sA1M2iPNcaH4ZB8bFPsaH8bEl2Y3xSUHBxwCxd9BUfo+wg6ITn6"
    "5N/J2a+BY0seZ9RW7FvhYvOu2uKLEJ6Yt10oPj40pszn2wTnzwjr0eiiNxeC3w67D5w53D"
    "r5nRgPRH6/gy7wDtofjbFTMhvBO0faPm5Zfiyn56R2T45Hd4h3B5ORxci6ct4CSsKJxlv4"
    "rtMS/T0X+RTHlZW+i3xW6XF8ocBU3jpcJo1DnvW9TODSAT3OlLrMtzJhqjFlCxxHrlZqTB"
    "+hj0Lrui1bFM5guu/0tyKFHgsqbYDNd014nFJ7i+XeOpVF57OWO/lfDtXtRpr/lar0y+lZ"
    "VJftFt3P12ydHlJUVBSSwvd5Jb/oYgA8KxqoLwrt6SvaSq0KpvHpuy67Nu3sQsYS6UDdkc"
    "pKzZXGo2h8NP6XeGBchq5yjGOXLcZ5QR2iBVhWaf3ICtr48oAFQv0pfthPMQWfWSqvM3SN"
    "3Qayb5DRLVArx2Ic+bonJYyqv+tsbAbJ6QixgjwzlgW7mb2cPoBkduCmzrm3tS4Zp8c088"
    "rO5MlQOwZ76uqgluaFpPAa9rt9Zyu07bBg38zInf/tUXtNjywqnw+ZYVmeGCksn3tW8Jk2"
    "8DfTWkMoAQz9rfUpDcrQFVEaBis5Ps5PAukR8asSlKvvq91XlKdktJc5uu3XcxwAjo5Aks"
    "kO7tjfgFWEE7BhRQKZiqukEBX2OAmmogAzg5IgYgU0BnkHp00QMccu99i6Mcdng1TsmypQ"
    "rJ1U/OnmJmWPxJoiu8WT3hHNE3eiNLxJF9oUNk2LCUZ3E6yalZqY3gsk19UfrOBnvBqZGJ"
    "gztZkyaP7lIlRW6oT5ufPqVQqKxVoka16kJrBYtFFoSd5hVE92A/zXTFWiVnAu5HNpfV9x"
    "PuNLnlRSezH/8H6gFuDA=="
)
