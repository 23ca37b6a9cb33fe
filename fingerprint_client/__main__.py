from fingerprint_client.cli import main

# Guarded: hashing workers (multiprocessing forkserver) import the main module again.
if __name__ == "__main__":
    main()
