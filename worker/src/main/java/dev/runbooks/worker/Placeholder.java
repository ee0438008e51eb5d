package dev.runbooks.worker;

final class Placeholder {}
