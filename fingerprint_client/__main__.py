from fingerprint_client.cli import main

main()
