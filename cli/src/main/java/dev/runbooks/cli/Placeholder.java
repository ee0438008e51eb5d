package dev.runbooks.cli;

final class Placeholder {}
