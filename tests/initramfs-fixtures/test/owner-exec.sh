#!/bin/sh
echo only root may run me
